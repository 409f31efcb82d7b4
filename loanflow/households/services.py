"""Use cases of the household register: register, read, search, change, bank-account four eyes."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import ColumnElement, or_, select, union_all, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from loanflow.accounts.models import User
from loanflow.audit import services as audit
from loanflow.core import clock, uow
from loanflow.core.domain.reasons import Reason
from loanflow.core.errors import Conflict, Forbidden, Invalid, NotFound, msg
from loanflow.core.paging import Count, capped_count
from loanflow.core.regions import Region
from loanflow.core.scope import (
    can_confirm_account_change,
    can_edit_household,
    can_register_household,
    can_register_households,
    can_view_household,
    code_prefix,
    village_filter,
)
from loanflow.extensions import db
from loanflow.households.domain.household import (
    check_account,
    check_change_basis,
    check_members,
    check_monitoring,
)
from loanflow.households.models import AccountChange, Household, Member

HOUSEHOLD_FIELDS = (
    "village_code",
    "address",
    "status",
    "monitoring",
    "monitoring_set_on",
    "attribute",
    "main_cause",
    "secondary_causes",
    "income_per_head",
)
MEMBER_FIELDS = ("name", "id_number", "no_id_reason", "sex", "birth_date", "relation", "labour", "phone")
ACCOUNT_FIELDS = ("account_type", "bank_account", "bank_name")


def snapshot(h: Household) -> dict[str, Any]:
    """The household as the audit trail records it."""
    data = {f: getattr(h, f) for f in HOUSEHOLD_FIELDS + ACCOUNT_FIELDS}
    data["members"] = [{f: getattr(m, f) for f in MEMBER_FIELDS} for m in h.members]
    return audit.jsonable(data)


def _invalid(errors: dict[str, list[Reason]]) -> Invalid:
    return Invalid({field: list(reasons) for field, reasons in errors.items()})


def _check_village(actor: User, code: str, errors: dict) -> None:
    region = db.session.get(Region, code)
    if region is None or region.level != "village":
        errors.setdefault("village_code", []).append(
            Reason("village_code.unknown", f"村代码 {code} 不存在", f"No village has the code {code}")
        )
    elif not can_register_household(actor, code):
        errors.setdefault("village_code", []).append(
            Reason(
                "village_code.outside", f"村 {code} 不在您的辖区内", f"Village {code} is outside your region"
            )
        )


def _check_one_household(members: list[dict], household_id: int | None, errors: dict) -> None:
    """One person, one household: an ID number already registered elsewhere is refused."""
    numbers = {m["id_number"]: i for i, m in enumerate(members) if m.get("id_number")}
    if not numbers:
        return
    stmt = select(Member.id_number, Member.household_id).where(Member.id_number.in_(list(numbers)))
    for number, other in db.session.execute(stmt):
        if other != household_id:
            errors.setdefault(f"members[{numbers[number]}].id_number", []).append(
                Reason(
                    "id_number.other_household",
                    "此身份证号码已登记在另一户（一人一户）",
                    "This ID number is already registered in another household (one person, one household)",
                )
            )


def _set_members(h: Household, members: list[dict]) -> None:
    for old in list(h.members):
        h.members.remove(old)
    db.session.flush()
    for m in members:
        h.members.append(
            Member(**{f: m.get(f) for f in MEMBER_FIELDS if f in m or f in ("sex", "birth_date")})
        )


def may_register(actor: User) -> None:
    """403 unless ``actor`` registers households (a clerk)."""
    if not can_register_households(actor):
        raise Forbidden(msg("只有经办员可以登记农户", "Only a clerk may register households"))


def _fresh(errors: dict, *fields: str) -> bool:
    """True when none of ``fields`` already has an error (a blank box is not also 'unknown')."""
    return not any(errors.get(f) for f in fields)


def _check_members_all(members: list[dict], household_id: int | None, errors: dict) -> list[dict]:
    """Every member rule in one pass; 'one head' is not asked when no member was entered at all."""
    if not members and errors.get("members"):
        return []
    checked = check_members(members, clock.today(), errors)
    _check_one_household(checked, household_id, errors)
    return checked


def register_household(actor: User, data: dict[str, Any], known: dict | None = None) -> Household:
    """Register a household and its members (建档立卡登记).

    ``known``: the errors a form already found (a blank box, a value not from a list); every
    other rule is still checked, so one submission reports every error at once."""
    may_register(actor)
    errors: dict[str, list[Reason]] = {f: list(r) for f, r in (known or {}).items()}
    if _fresh(errors, "village_code"):
        _check_village(actor, data.get("village_code") or "", errors)
    if _fresh(errors, "monitoring", "monitoring_set_on"):
        check_monitoring(data, errors)
    if _fresh(errors, "account_type", "bank_account"):
        check_account(data["account_type"], data["bank_account"], errors)
    members = _check_members_all(data.get("members") or [], None, errors)
    if errors:
        raise _invalid(errors)
    now = clock.now()
    h = Household(
        **{f: data.get(f) for f in HOUSEHOLD_FIELDS + ACCOUNT_FIELDS if f in data},
        status_reason=data.get("change_reason") or "",
        status_document=data.get("document_ref") or "",
        created_at=now,
        updated_at=now,
    )
    h.secondary_causes = list(data.get("secondary_causes") or [])
    db.session.add(h)
    _set_members(h, members)
    _flush_unique(h)
    audit.record(actor, "household.register", "household", h.id, chain=h.county_code, after=snapshot(h))
    uow.flush()
    return h


def _flush_unique(h: Household) -> None:
    try:
        db.session.flush()
    except IntegrityError as e:
        db.session.rollback()
        raise Invalid(
            {
                "members": [
                    msg(
                        "身份证号码已登记在另一户（一人一户）",
                        "An ID number is already registered in another household",
                    )
                ]
            }
        ) from e


def get_household(actor: User, household_id: int) -> Household:
    """A household the caller may see; 404 otherwise (outside the region looks like absent)."""
    h = db.session.get(Household, household_id, options=[selectinload(Household.members)])
    if h is None or not can_view_household(actor, h):
        raise NotFound(msg(f"农户 {household_id} 不存在", f"Household {household_id} not found"))
    return h


def editable_household(actor: User, household_id: int) -> Household:
    """The household ``actor`` may change (its register fields, or a request to change its account):
    404 outside the caller's region, 403 for a role that may not. Checked before any input is read."""
    h = get_household(actor, household_id)
    if not can_edit_household(actor, h):
        raise Forbidden(
            msg("只有本辖区经办员可以修改农户信息", "Only a clerk of the region may edit the household")
        )
    return h


def decidable_account_change(
    actor: User, household_id: int, change_id: int
) -> tuple[Household, AccountChange]:
    """The pending change ``actor`` may decide: 404 (household or change), 403 (role, four eyes), 409 (decided)."""
    h = get_household(actor, household_id)
    change = db.session.get(AccountChange, change_id)
    if change is None or change.household_id != h.id:
        raise NotFound(msg("账户变更申请不存在", "No such account change"))
    ok, why = can_confirm_account_change(actor, h, change.requested_by_id)
    if not ok:
        raise Forbidden(
            msg(
                "申请人不能确认自己的账户变更（四眼原则）",
                "The requester may not confirm their own change (four eyes)",
            )
            if why == "four_eyes"
            else msg("无权确认账户变更", "Your role may not confirm account changes")
        )
    if change.state != "pending":
        raise Conflict(msg("该申请已处理", "The change was already decided"), state=change.state)
    return h, change


def update_household(
    actor: User, household_id: int, changes: dict[str, Any], known: dict | None = None
) -> Household:
    """Change register fields; status and monitoring changes carry a reason and a 文号.

    ``known``: errors a form already found; every other rule is still checked (all errors at once)."""
    h = editable_household(actor, household_id)
    expected = changes.pop("version", None)
    if expected is not None and expected != h.version:
        raise Conflict(
            msg(
                "该农户已被他人修改，请刷新后重试",
                "The household was changed by someone else; reload and retry",
            )
        )
    errors: dict[str, list[Reason]] = {f: list(r) for f, r in (known or {}).items()}
    before = snapshot(h)
    if any(f in changes for f in ACCOUNT_FIELDS):
        errors["bank_account"] = [
            Reason(
                "bank_account.four_eyes",
                "变更银行账户须提交变更申请，由第二人确认",
                "A bank account change is a request confirmed by a second user",
            )
        ]
    if (
        "village_code" in changes
        and changes["village_code"] != h.village_code
        and _fresh(errors, "village_code")
    ):
        _check_village(actor, changes["village_code"], errors)
    check_change_basis(changes, before, errors)
    merged = {**before, **changes}
    if _fresh(errors, "monitoring", "monitoring_set_on"):
        check_monitoring(merged, errors)
    members = None
    if "members" in changes:
        members = _check_members_all(changes["members"], h.id, errors)
    if errors:
        raise _invalid(errors)
    for f in HOUSEHOLD_FIELDS:
        if f in changes:
            setattr(h, f, list(changes[f]) if f == "secondary_causes" else changes[f])
    if "status" in changes or "monitoring" in changes:
        h.status_reason, h.status_document = changes.get("change_reason", ""), changes.get("document_ref", "")
    if members is not None:
        _set_members(h, members)
    h.updated_at = clock.now()
    try:
        _flush_unique(h)
    except StaleDataError as e:
        db.session.rollback()
        raise Conflict(
            msg("该农户已被他人修改，请刷新后重试", "The household was changed by someone else")
        ) from e
    after = snapshot(h)
    audit.record(
        actor,
        "household.update",
        "household",
        h.id,
        chain=h.county_code,
        before=before,
        after=after,
        reason=changes.get("change_reason", ""),
    )
    uow.flush()
    return h


ID_NUMBER = re.compile(r"\d{17}[\dX]")
ID_TAIL = re.compile(r"\d{3,16}[\dX]")
MOBILE = re.compile(r"1\d{10}")


def member_match(q: str, actor: User | None = None) -> ColumnElement[bool]:
    """Which members a search term names, each way an index lookup (no scan of the members):

    a whole ID number → equality on the unique ID column; "0011" (4 to 17 trailing characters) →
    equality on the stored, indexed last four (``id_tail``), longer tails narrowed among those;
    a mobile number → equality on the indexed phone; anything else → a name prefix (赵大山, 赵大).
    """
    term = q.strip().upper()
    if ID_NUMBER.fullmatch(term):
        return Member.id_number == term
    if ID_TAIL.fullmatch(term) and len(term) >= 4:
        tail = Member.id_tail == term[-4:]
        if len(term) > 4:
            tail = tail & Member.id_number.endswith(term, autoescape=True)
        return or_(tail, Member.phone == term) if MOBILE.fullmatch(term) else tail
    if term.isdigit():
        return Member.phone == term
    by_name = Member.name.startswith(q.strip(), autoescape=True)
    if actor is not None:  # the searcher's villages, checked in the name index (``Member.village_code``)
        by_name = by_name & village_filter(actor, Member.village_code)
    return by_name


def matching(q: str, id_column: Any, household_ids: list[int] | None = None, actor: User | None = None):
    """The households a search term names: by a member (``member_match``), by a case number the
    case features resolved (``household_ids``), or by the name of a village (of ``actor``'s region
    when given: a clerk's search for 丁红 read the 874 households of a village of that name in
    another township, then dropped them).

    One ``IN`` over a ``UNION ALL`` of the ids each way finds, not an ``OR`` of three ``IN``s: with
    the ``OR`` PostgreSQL could use no index and read the whole register (130–220 ms at 750,000
    households for a name that 89 members have); the union is a few index lookups.
    """
    term = q.strip()
    found = [select(Member.household_id).where(member_match(q, actor))]
    if household_ids:
        found.append(select(Household.id).where(Household.id.in_(household_ids)))
    if not term[:1].isdigit():
        villages = select(Region.code).where(Region.name.contains(term, autoescape=True))
        if actor is not None:
            villages = villages.where(village_filter(actor, Region.code))
        # read first (a few hundred region rows): a person's name names no village, and a subquery
        # here made the planner expect a village's households and hash-join the township's 22,000
        codes = list(db.session.scalars(villages))
        if codes:
            found.append(select(Household.id).where(Household.village_code.in_(codes)))
    return id_column.in_(union_all(*found) if len(found) > 1 else found[0])


def search_households(
    actor: User,
    q: str | None = None,
    village: str | None = None,
    page: int = 1,
    per_page: int = 50,
    household_ids: list[int] | None = None,
) -> tuple[list[Household], Count]:
    """Households the caller may see, by name, ID number or its tail, phone or village, newest first;
    the total stops counting 1,000 rows past the page (``core.paging``: a county's register is
    hundreds of thousands of households).

    ``household_ids``: households a case number named (the page asks the case features)."""
    stmt = select(Household).where(village_filter(actor, Household.village_code))
    if village:
        stmt = stmt.where(code_prefix(Household.village_code, village))
    if q:
        stmt = stmt.where(matching(q, Household.id, household_ids, actor))
    total = capped_count(stmt.with_only_columns(Household.id), page=page, per_page=per_page)
    # Newest first. With a search term, by ``id + 0``, which no index serves: the matches (a few index
    # lookups, ``matching``) are then sorted, never found by walking the register backwards from the
    # newest household, which the planner chose for a page of 20 and walked 166,000 households to
    # find 20 of 89 matches (38 ms at 750,000 households; sorted, 1 ms).
    newest = (Household.id + 0).desc() if q else Household.id.desc()
    rows = db.session.scalars(
        stmt.options(selectinload(Household.members), selectinload(Household.village))
        .order_by(newest)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return list(rows), total


def request_account_change(actor: User, household_id: int, data: dict[str, Any]) -> AccountChange:
    """Ask to change the registered account; it takes effect when a second user confirms."""
    h = editable_household(actor, household_id)
    errors: dict[str, list[Reason]] = {}
    check_account(data["account_type"], data["bank_account"], errors)
    if errors:
        raise _invalid(errors)
    change = AccountChange(
        household_id=h.id,
        requested_by_id=actor.id,
        requested_at=clock.now(),
        **{f: data[f] for f in ACCOUNT_FIELDS},
        reason=data.get("reason", ""),
    )
    db.session.add(change)
    db.session.flush()
    audit.record(
        actor,
        "household.account_change_requested",
        "household",
        h.id,
        chain=h.county_code,
        after={"change_id": change.id, **{f: data[f] for f in ACCOUNT_FIELDS}},
        reason=change.reason,
    )
    uow.flush()
    return change


def decide_account_change(actor: User, household_id: int, change_id: int, confirm: bool) -> AccountChange:
    """A second user confirms (or rejects) a pending account change (四眼原则)."""
    h, change = decidable_account_change(actor, household_id, change_id)
    before = snapshot(h)
    decided = "confirmed" if confirm else "rejected"
    # Guarded: of two people deciding at once, exactly one wins; the other gets 409.
    won = db.session.execute(
        update(AccountChange)
        .where(AccountChange.id == change.id, AccountChange.state == "pending")
        .values(state=decided, decided_by_id=actor.id, decided_at=clock.now())
        .execution_options(synchronize_session=False)
    ).rowcount
    if won != 1:
        db.session.rollback()
        raise Conflict(msg("该申请已被他人处理", "Someone else decided the change first"), state="decided")
    db.session.refresh(change)
    if confirm:
        h.account_type, h.bank_account, h.bank_name = (
            change.account_type,
            change.bank_account,
            change.bank_name,
        )
        h.updated_at = clock.now()
    audit.record(
        actor,
        f"household.account_change_{change.state}",
        "household",
        h.id,
        chain=h.county_code,
        before=before,
        after=snapshot(h),
    )
    uow.flush()
    return change
