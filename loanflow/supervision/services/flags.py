"""Flags (疑点), computed on demand for the caller's region, each with the cases (or households) behind it.

- one bank account on several households;
- one clerk opening more applications in a day than the policy allows (``daily_applications_flag``);
- a subsidy approved before its 公示 ended, or while its period was provisional;
- a loan disbursed after the deadline its credited stage was given (the due date the credit fixed,
  as its audit event recorded it);
- a household's status or monitoring changed without a document reference (文号);
- a dead end: a waiting case nobody may move.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, literal, select, union_all

from loanflow.accounts.models import User
from loanflow.audit.models import AuditEvent
from loanflow.core.errors import Msg, msg
from loanflow.core.paging import COUNT_CAP
from loanflow.core.scope import village_filter
from loanflow.extensions import db
from loanflow.households.models import Household
from loanflow.loans.models import Loan
from loanflow.policy.services import current_policy
from loanflow.subsidies.models import Publicity, SubsidyCase
from loanflow.supervision.cases import PRODUCTS
from loanflow.supervision.services.dead_ends import dead_ends
from loanflow.supervision.services.stalled import require_supervisor

KINDS = (
    "shared_account",
    "busy_clerk",
    "early_approval",
    "late_disbursement",
    "undocumented_change",
    "dead_end",
)


@dataclass(frozen=True)
class CaseLink:
    case_type: str
    case_id: int
    case_number: str
    endpoint: str


@dataclass
class Flag:
    kind: str
    detail: Msg
    keys: list[tuple[str, int]] = field(default_factory=list)  # its cases, linked by ``resolve``
    households: list[int] = field(default_factory=list)
    cases: list[CaseLink] = field(default_factory=list)


def case_links(keys: list[tuple[str, int]]) -> list[CaseLink]:
    """The cases' numbers and pages, in the order given: one query per product."""
    out: dict[tuple[str, int], CaseLink] = {}
    for name, p in PRODUCTS.items():
        for case_id, case in p.load({i for t, i in keys if t == name}).items():
            out[(name, case_id)] = CaseLink(name, case_id, p.number(case), p.endpoint)
    return [out[k] for k in keys if k in out]


def _household_cases(household_ids: set[int]) -> dict[int, list[tuple[str, int]]]:
    out: dict[int, list[tuple[str, int]]] = defaultdict(list)
    if not household_ids:
        return out
    for name, p in PRODUCTS.items():
        m = p.model
        stmt = select(m.household_id, m.id).where(m.household_id.in_(household_ids)).order_by(m.id)
        for household_id, case_id in db.session.execute(stmt):
            out[household_id].append((name, case_id))
    return out


def resolve(flags: list[Flag]) -> list[Flag]:
    """Link every flag to its cases (a household's flag to the household's cases), all flags at once."""
    by_household = _household_cases({h for f in flags for h in f.households})
    for f in flags:
        if f.households and not f.keys:
            f.keys = [k for h in f.households for k in by_household.get(h, [])]
    links = {(c.case_type, c.case_id): c for c in case_links(sorted({k for f in flags for k in f.keys}))}
    for f in flags:
        if not f.cases:
            f.cases = [links[k] for k in f.keys if k in links]
    return flags


def shared_accounts(user: Any) -> list[Flag]:
    """One bank account on several households."""
    mine = village_filter(user, Household.village_code)
    shared = (
        select(Household.bank_account)
        .where(mine, Household.bank_account.is_not(None), Household.bank_account != "")
        .group_by(Household.bank_account)
        .having(func.count(Household.id) > 1)
    )
    rows = db.session.execute(
        select(Household.bank_account, Household.id)
        .where(mine, Household.bank_account.in_(shared))
        .order_by(Household.bank_account, Household.id)
    )
    by_account: dict[str, list[int]] = defaultdict(list)
    for account, household_id in rows:
        by_account[account].append(household_id)
    return [
        Flag(
            "shared_account",
            msg(
                f"同一银行账户（尾号 {account[-4:]}）登记在 {len(ids)} 户",
                f"One bank account (ending {account[-4:]}) is on {len(ids)} households",
            ),
            households=ids,
        )
        for account, ids in by_account.items()
    ]


def busy_clerks(user: Any) -> list[Flag]:
    """One clerk opening more applications in a day than the policy's number."""
    limit = current_policy().daily_applications_flag
    parts = [
        select(
            literal(name).label("case_type"),
            p.model.id.label("case_id"),
            p.model.applied_by_id.label("clerk_id"),
            p.model.applied_on.label("day"),
        ).where(village_filter(user, p.model.village_code))
        for name, p in PRODUCTS.items()
    ]
    rows = union_all(*parts).subquery()
    busy = (
        select(rows.c.clerk_id, rows.c.day)
        .group_by(rows.c.clerk_id, rows.c.day)
        .having(func.count() > limit)
        .subquery()
    )
    cases: dict[tuple[int, date], list[tuple[str, int]]] = defaultdict(list)
    for clerk_id, day, case_type, case_id in db.session.execute(
        select(rows.c.clerk_id, rows.c.day, rows.c.case_type, rows.c.case_id)
        .join(busy, (rows.c.clerk_id == busy.c.clerk_id) & (rows.c.day == busy.c.day))
        .order_by(rows.c.day, rows.c.clerk_id, rows.c.case_type, rows.c.case_id)
    ):
        cases[(clerk_id, day)].append((case_type, case_id))
    ids = {clerk_id for clerk_id, _day in cases}
    names = (
        dict(db.session.execute(select(User.id, User.full_name).where(User.id.in_(ids))).all()) if ids else {}
    )
    return [
        Flag(
            "busy_clerk",
            msg(
                f"{names[clerk_id]} 于 {day.isoformat()} 一天受理 {len(keys)} 件申请（超过 {limit} 件）",
                f"{names[clerk_id]} opened {len(keys)} applications on {day.isoformat()} (more than {limit})",
            ),
            keys,
        )
        for (clerk_id, day), keys in cases.items()
    ]


def early_approvals(user: Any) -> list[Flag]:
    """A subsidy approved before its 公示 period was over, or while that period was provisional."""
    stmt = (
        select(SubsidyCase.id, SubsidyCase.approved_on, Publicity.approval_opens_on, Publicity.provisional)
        .join(Publicity, SubsidyCase.publicity_id == Publicity.id)
        .where(village_filter(user, SubsidyCase.village_code), SubsidyCase.approved_on.is_not(None))
        .where((SubsidyCase.approved_on < Publicity.approval_opens_on) | Publicity.provisional.is_(True))
        .order_by(SubsidyCase.id)
    )
    flags = []
    for case_id, approved_on, opens, _provisional in db.session.execute(stmt):
        detail = (
            msg(
                f"审批于 {approved_on.isoformat()}，公示期按未公布的节假日暂定",
                f"Approved on {approved_on.isoformat()} while its 公示 period was provisional",
            )
            if approved_on >= opens
            else msg(
                f"审批于 {approved_on.isoformat()}，公示期 {opens.isoformat()} 前未满",
                f"Approved on {approved_on.isoformat()}, before its 公示 ended ({opens.isoformat()})",
            )
        )
        flags.append(Flag("early_approval", detail, [("subsidy", case_id)]))
    return flags


def late_disbursements(user: Any) -> list[Flag]:
    """A loan disbursed after the due date its credited stage was given (as the credit's audit event fixed it)."""
    shortest = current_policy().deadline_days("loan", "credited") or 0
    candidates = {
        loan_id: disbursed
        for loan_id, credited, disbursed in db.session.execute(
            select(Loan.id, Loan.credited_on, Loan.disbursed_on).where(
                village_filter(user, Loan.village_code), Loan.disbursed_on.is_not(None)
            )
        )
        # n working days are at least n calendar days: nothing disbursed sooner can be late
        if credited is not None and disbursed > credited + timedelta(days=shortest)
    }
    if not candidates:
        return []
    events = db.session.execute(
        select(AuditEvent.entity_id, AuditEvent.after).where(
            AuditEvent.entity_type == "loan",
            AuditEvent.action == "loan.credit",
            AuditEvent.entity_id.in_([str(i) for i in candidates]),
        )
    )
    late = []
    for entity_id, after in events:
        due = (after or {}).get("stage_due_on")
        disbursed = candidates[int(entity_id)]
        if due and disbursed > date.fromisoformat(due):
            late.append((int(entity_id), date.fromisoformat(due), disbursed))
    return [
        Flag(
            "late_disbursement",
            msg(
                f"应于 {due.isoformat()} 前放款，实际 {disbursed.isoformat()} 放款",
                f"Due for disbursement by {due.isoformat()}, disbursed on {disbursed.isoformat()}",
            ),
            [("loan", loan_id)],
        )
        for loan_id, due, disbursed in sorted(late)
    ]


def undocumented_changes(user: Any) -> list[Flag]:
    """A household's status or monitoring changed, and the change carries no document reference (文号)."""
    changed: dict[int, list[str]] = defaultdict(list)
    counties = {user.region_code[:6]}
    events = db.session.execute(
        select(AuditEvent.entity_id, AuditEvent.before, AuditEvent.after)
        .where(AuditEvent.entity_type == "household", AuditEvent.chain.in_(counties))
        .where(AuditEvent.action == "household.update")
        .order_by(AuditEvent.id)
    )
    for entity_id, before, after in events:
        before, after = before or {}, after or {}
        fields = [f for f in ("status", "monitoring") if before.get(f) != after.get(f)]
        if fields:
            changed[int(entity_id)] = fields
    if not changed:
        return []
    rows = db.session.execute(
        select(Household.id, Household.status_document)
        .where(Household.id.in_(list(changed)), village_filter(user, Household.village_code))
        .where(func.coalesce(Household.status_document, "") == "")
        .order_by(Household.id)
    )
    return [
        Flag(
            "undocumented_change",
            msg(
                f"农户 {hid} 变更了{'、'.join({'status': '脱贫状态', 'monitoring': '监测类型'}[f] for f in changed[hid])}，没有依据文号",
                f"Household {hid} changed its {' and '.join(changed[hid])} without a document reference",
            ),
            households=[hid],
        )
        for hid, _doc in rows
    ]


def dead_end_flags(user: Any, today: date | None = None) -> list[Flag]:
    """The dead ends, most overdue first, up to 1,000 (``services.dead_ends``)."""
    return [
        Flag(
            "dead_end",
            msg(f"无人可以办理：{r.dead_end_reason.zh}", f"Nobody may move it: {r.dead_end_reason.en}"),
            cases=[CaseLink(r.case_type, r.case_id, r.case_number, r.endpoint)],
        )
        for r in dead_ends(user, today, limit=COUNT_CAP)
    ]


FINDERS = {
    "shared_account": shared_accounts,
    "busy_clerk": busy_clerks,
    "early_approval": early_approvals,
    "late_disbursement": late_disbursements,
    "undocumented_change": undocumented_changes,
    "dead_end": dead_end_flags,
}


def flags(user: Any, kind: str | None = None) -> list[Flag]:
    """Every flag of the caller's region (or of one kind), in the order DOMAIN.md lists the kinds."""
    require_supervisor(user)
    kinds = [kind] if kind else list(KINDS)
    out: list[Flag] = []
    for k in kinds:
        out.extend(FINDERS[k](user))
    return resolve(out)
