"""The admin's regions and branches, and what needs the admin's attention (the admin's home).

Region codes are GB/T 2260 codes: fixed once used, so a node is renamed, never recoded.
A township no branch serves, or a branch with no active officer, makes dead ends: loans
there can never be rated or disbursed. Both are listed as problems.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from loanflow.accounts.models import User
from loanflow.accounts.services import create_branch, create_region, require_admin
from loanflow.audit import services as audit
from loanflow.audit.checkpoints import read_checkpoints
from loanflow.calendar.services import work_calendar
from loanflow.core import uow
from loanflow.core.errors import Conflict, Invalid, NotFound, msg
from loanflow.core.regions import Branch, BranchTownship, Region
from loanflow.extensions import db
from loanflow.loans.models import Loan
from loanflow.policy.services import current_policy
from loanflow.subsidies.models import SubsidyCase


@dataclass
class Node:
    region: Region
    children: list[Node] = field(default_factory=list)
    branch: Branch | None = None  # townships: the branch serving it

    @property
    def problem(self) -> bool:
        return self.region.level == "township" and self.branch is None


def _county(actor: User) -> str:
    return actor.region_code[:6]


def region_tree(actor: User) -> list[Node]:
    """The admin's county as a tree (county → townships → villages), townships with their branch."""
    require_admin(actor)
    regions = db.session.scalars(
        select(Region).where(Region.code.startswith(_county(actor))).order_by(Region.code)
    )
    serving = {bt.township_code: bt for bt in db.session.scalars(select(BranchTownship))}
    branches = {b.id: b for b in db.session.scalars(select(Branch))}
    nodes: dict[str, Node] = {}
    roots: list[Node] = []
    for r in regions:
        node = nodes[r.code] = Node(r)
        link = serving.get(r.code)
        node.branch = branches.get(link.branch_id) if link else None
        parent = nodes.get(r.parent_code or "")
        (parent.children if parent else roots).append(node)
    return roots


def add_region(actor: User, code: str, name: str) -> Region:
    """A new township or village under a node of the admin's county (a code in use: 409)."""
    require_admin(actor)
    if code.isdigit() and not code.startswith(_county(actor)):
        raise Invalid({"code": [msg("区划代码须在本县之内", "The code must be inside your county")]})
    region = create_region(actor, code, name)
    uow.flush()
    return region


def region_of(actor: User, code: str) -> Region:
    """A node of the admin's county (403 for another role, then 404 outside the county)."""
    require_admin(actor)
    region = db.session.get(Region, code)
    if region is None or not code.startswith(_county(actor)):
        raise NotFound(msg(f"区划 {code} 不存在", f"No region has the code {code}"))
    return region


def rename_region(actor: User, code: str, name: str, new_code: str | None = None) -> Region:
    """Rename a node; its code never changes (asking for another code is 409)."""
    region = region_of(actor, code)
    if new_code is not None and new_code != code:
        raise Conflict(msg("区划代码一经使用不可更改", "A region code never changes once used"))
    name = (name or "").strip()
    if not name:
        raise Invalid({"name": [msg("请填写名称", "The name is required")]})
    before = region.name
    if name != before:
        region.name = name
        audit.record(
            actor,
            "region.rename",
            "region",
            code,
            chain=code[:6],
            before={"name": before},
            after={"name": name},
        )
    uow.flush()
    return region


def _townships_errors(county: str, codes: list[str], branch_id: int | None) -> dict[str, list]:
    """Each code a township of the county, served by no other branch."""
    known = set(
        db.session.scalars(select(Region.code).where(Region.code.in_(codes), Region.level == "township"))
    )
    wrong = [c for c in codes if c not in known or not c.startswith(county)]
    if wrong:
        return {
            "townships": [
                msg(f"不是本县的乡镇：{'、'.join(wrong)}", f"Not townships of the county: {', '.join(wrong)}")
            ]
        }
    taken = db.session.scalars(
        select(BranchTownship.township_code).where(
            BranchTownship.township_code.in_(codes), BranchTownship.branch_id != (branch_id or 0)
        )
    ).all()
    if taken:
        return {
            "townships": [
                msg(
                    f"乡镇 {'、'.join(taken)} 已有服务网点",
                    f"Townships {', '.join(taken)} already have a branch",
                )
            ]
        }
    return {}


def _branch_errors(data: dict[str, Any]) -> dict[str, list]:
    errors = {}
    for key, zh in (("name", "网点名称"), ("bank", "所属银行")):
        if key in data and not (data[key] or "").strip():
            errors[key] = [msg(f"请填写{zh}", f"The {key} is required")]
    return errors


def branches(actor: User) -> list[Branch]:
    require_admin(actor)
    return list(
        db.session.scalars(select(Branch).where(Branch.county_code == _county(actor)).order_by(Branch.id))
    )


def add_branch(actor: User, *, name: str, bank: str, address: str = "", townships: list[str]) -> Branch:
    """A branch of a partner bank serving some townships of the admin's county."""
    require_admin(actor)
    county = _county(actor)
    errors = _branch_errors({"name": name, "bank": bank}) | _townships_errors(county, townships, None)
    if errors:
        raise Invalid(errors)
    branch = create_branch(
        actor,
        name=name.strip(),
        bank=bank.strip(),
        address=(address or "").strip(),
        county_code=county,
        township_codes=townships,
    )
    uow.flush()
    return branch


def branch_snapshot(b: Branch) -> dict:
    return {"name": b.name, "bank": b.bank, "address": b.address, "townships": b.township_codes}


def branch_of(actor: User, branch_id: int) -> Branch:
    """A branch of the admin's county (403 for another role, then 404 outside the county)."""
    require_admin(actor)
    branch = db.session.get(Branch, branch_id)
    if branch is None or branch.county_code != _county(actor):
        raise NotFound(msg("网点不存在", "No such branch"))
    return branch


def update_branch(actor: User, branch_id: int, changes: dict[str, Any]) -> Branch:
    """Rename a branch, change its bank or address, or the townships it serves."""
    branch = branch_of(actor, branch_id)
    errors = _branch_errors(changes)
    if "townships" in changes:
        errors |= _townships_errors(branch.county_code, changes["townships"], branch.id)
    if errors:
        raise Invalid(errors)
    before = branch_snapshot(branch)
    for key in ("name", "bank", "address"):
        if key in changes:
            setattr(branch, key, (changes[key] or "").strip())
    if "townships" in changes and changes["townships"] != branch.township_codes:
        branch.townships = [BranchTownship(township_code=t) for t in sorted(set(changes["townships"]))]
        db.session.flush()
    after = branch_snapshot(branch)
    changed = sorted(k for k in after if after[k] != before[k])
    if changed:
        branch.version += 1
        audit.record(
            actor,
            "branch.update",
            "branch",
            branch.id,
            chain=branch.county_code,
            before={k: before[k] for k in changed},
            after={k: after[k] for k in changed},
        )
    uow.flush()
    return branch


def active_officers(branch_ids: list[int]) -> dict[int, int]:
    rows = db.session.execute(
        select(User.branch_id, func.count())
        .where(User.branch_id.in_(branch_ids), User.role == "bank_officer", User.active.is_(True))
        .group_by(User.branch_id)
    )
    return dict(rows.all())


@dataclass
class Attention:
    """What the admin's home lists."""

    townships_without_branch: list[Region]
    branches_without_officer: list[Branch]
    branches_with_one_officer: list[Branch]  # four eyes: a loan its officer credited cannot be disbursed
    officers: dict[int, int]
    never_logged_in: list[User]
    provisional_years: dict[int, int]
    last_check: datetime | None  # the last signed checkpoint
    last_verification: audit.RecordedCheck | None = None


def provisional_years(county: str) -> dict[int, int]:
    """Years not yet entered that the county's open cases' deadlines are counted in: year → how many cases."""
    calendar = work_calendar()
    counts: dict[int, int] = {}
    for model in (Loan, SubsidyCase):
        rows = db.session.execute(
            select(model.stage_due_on).where(
                model.stage_due_provisional.is_(True),
                model.stage_due_on.is_not(None),
                model.village_code.startswith(county),
            )
        )
        for (due,) in rows:
            if not calendar.knows_year(due.year):
                counts[due.year] = counts.get(due.year, 0) + 1
    return dict(sorted(counts.items()))


# What the home shows as "the last audit verification": the newest event with one of these actions
# (every verification of the trail records one: the command, the API, the supervisor's page).
# Checkpoints are not events: the signed log outside the database is their record (``last_audit_check``).
AUDIT_CHECK_ACTIONS = (audit.VERIFY_ACTION,)


def last_audit_check() -> datetime | None:
    """When the audit trail's chain heads were last checkpointed (signed, outside the database); None: never."""
    return max((datetime.fromisoformat(c.at) for c in read_checkpoints().checkpoints), default=None)


def attention(actor: User) -> Attention:
    """Townships without a branch, branches without an active officer, users who never logged in,
    years counted provisionally, the last audit checkpoint and the last verification (who, when, result)."""
    tree = region_tree(actor)
    townships = [t for county in tree for t in county.children if t.problem]
    all_branches = branches(actor)
    officers = active_officers([b.id for b in all_branches])
    never = db.session.scalars(
        select(User)
        .where(
            User.region_code.startswith(_county(actor)), User.last_login_at.is_(None), User.active.is_(True)
        )
        .order_by(User.username)
    )
    return Attention(
        [t.region for t in townships],
        [b for b in all_branches if not officers.get(b.id)],
        [b for b in all_branches if officers.get(b.id) == 1] if current_policy().four_eyes else [],
        officers,
        list(never),
        provisional_years(_county(actor)),
        last_audit_check(),
        audit.last_check(_county(actor), AUDIT_CHECK_ACTIONS),
    )
