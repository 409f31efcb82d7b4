"""The county risk-compensation fund (县风险补偿金): deposits, compensation (风险代偿), recoveries.

A loan overdue (or recalled and unpaid) for the policy's number of days may be
claimed on the fund by a bank officer, with what the bank did to collect; a
county-level approver approves the claim — the fund pays its share of the
outstanding principal, the bank bears the rest, and the loan is ``compensated`` —
or refuses it with a reason (the loan goes back where it was). Later recoveries
settle what was owed like a repayment; the principal they recover goes back in
the compensation's proportion (``domain.compensation``), the share fixed by the
policy version of the compensation. The fund's balance (deposits + recoveries − payouts) limits new
credit: outstanding principal plus credit not yet disbursed may not pass
``fund_leverage`` × balance (checked at credit and again at disbursement, under
the county's fund lock, which a compensation's payout takes too).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, insert, select

from loanflow.accounts.models import User
from loanflow.audit import services as audit
from loanflow.core import clock, uow
from loanflow.core.domain.money import ZERO, format_money
from loanflow.core.errors import Forbidden, Invalid, NotFound, msg
from loanflow.core.regions import Region
from loanflow.core.scope import in_region
from loanflow.extensions import db
from loanflow.loans.domain.compensation import fund_payout, fund_recovered, recovered_principal
from loanflow.loans.models import FundEntry, Loan
from loanflow.loans.services.actions import begin_action, check_event_date, transition
from loanflow.loans.services.money import position_of
from loanflow.loans.services.queries import (
    credited_principal,
    fund_balance,
    lock_fund,
    outstanding_principal,
)
from loanflow.policy.services import current_policy, policy_version

# --- the fund's figures -------------------------------------------------------------------------


def _fund_entry(
    county_code: str, kind: str, amount: Decimal, on: date, actor: User, note: str, loan: Loan | None = None
) -> int:
    """One line of the county fund's ledger (deposit, payout or recovery), in the caller's transaction."""
    return db.session.execute(
        insert(FundEntry)
        .values(
            county_code=county_code,
            kind=kind,
            amount=amount,
            loan_id=loan.id if loan is not None else None,
            entry_date=on,
            recorded_by_id=actor.id,
            recorded_at=clock.now(),
            note=note,
        )
        .returning(FundEntry.id)
    ).scalar_one()


@dataclass(frozen=True)
class FundView:
    county_code: str
    balance: Decimal
    outstanding_principal: Decimal
    leverage: int
    entries: list[FundEntry]
    committed: Decimal = ZERO  # credit granted and not yet disbursed

    @property
    def ceiling(self) -> Decimal:
        """The most principal the fund can back (风险补偿金 × 放大倍数)."""
        return self.balance * self.leverage

    @property
    def headroom(self) -> Decimal:
        """What new credit the fund still backs: the ceiling less what is lent and what is credited."""
        return max(ZERO, self.ceiling - self.outstanding_principal - self.committed)


def can_see_fund(user: User, county_code: str) -> bool:
    if user.role in ("admin", "supervisor"):
        return in_region(user, county_code)
    if user.role == "bank_officer":
        return user.branch is not None and user.branch.county_code == county_code
    return False


def _county(code: str) -> Region:
    region = db.session.get(Region, code)
    if region is None or region.level != "county":
        raise NotFound(msg(f"县 {code} 不存在", f"No county has the code {code}"))
    return region


def fund_view(actor: User, county_code: str | None = None) -> FundView:
    """The fund of a county: balance, outstanding principal, ceiling, and its ledger (newest first)."""
    code = county_code or actor.region_code[:6]
    _county(code)
    if not can_see_fund(actor, code):
        raise NotFound(msg(f"县 {code} 不存在", f"No county has the code {code}"))
    entries = db.session.scalars(
        select(FundEntry)
        .where(FundEntry.county_code == code)
        .order_by(FundEntry.entry_date.desc(), FundEntry.id.desc())
    )
    leverage = int(current_policy().loan["fund_leverage"])
    return FundView(
        code,
        fund_balance(code),
        outstanding_principal(code),
        leverage,
        list(entries),
        committed=credited_principal(code),
    )


def require_depositor(actor: User) -> None:
    """403 unless the actor is an admin: only an admin records deposits (checked before the input)."""
    if actor.role != "admin":
        raise Forbidden(msg("只有系统管理员可以登记风险补偿金存入", "Only an admin may record fund deposits"))


def deposit(actor: User, county_code: str, amount: Decimal, on: date, reference: str) -> FundEntry:
    """The admin records money paid into the county's fund (存入风险补偿金)."""
    require_depositor(actor)
    region = _county(county_code)
    if not in_region(actor, region.code):
        raise NotFound(msg(f"县 {county_code} 不存在", f"No county has the code {county_code}"))
    errors: dict[str, list] = {}
    if amount <= 0:
        errors["amount"] = [msg("金额须大于零", "The amount must be positive")]
    if on > clock.today():
        errors["date"] = [msg(f"日期 {on} 晚于今天", f"The date {on} is after today")]
    if not (reference or "").strip():
        errors["reference"] = [msg("请填写入账凭证号", "The payment reference is required")]
    if errors:
        raise Invalid(errors)
    entry_id = _fund_entry(county_code, "deposit", amount, on, actor, reference.strip())
    audit.record(
        actor,
        "fund.deposit",
        "fund_entry",
        entry_id,
        chain=county_code,
        after={"county_code": county_code, "amount": amount, "date": on, "reference": reference.strip()},
    )
    uow.flush()
    return db.session.get(FundEntry, entry_id)


# --- compensation (风险代偿): the bank claims, a county approver decides -------------------------


def _required(field: str, text: str | None, zh: str, en: str) -> str:
    if not (text or "").strip():
        raise Invalid({field: [msg(zh, en, f"{field}.required")]})
    return text.strip()


def claim_compensation(actor: User, loan_id: int, note: str) -> Loan:
    """The bank claims the fund for a loan past the threshold, with what it did to collect (催收情况)."""
    loan = begin_action(actor, loan_id, "claim-compensation")
    note = _required("note", note, "请填写催收情况（走访、函告等）", "Say what the bank did to collect")
    today = clock.today()
    pos = position_of(loan, today)
    changes = dict(
        claim_note=note,
        claimed_on=today,
        claimed_by_id=actor.id,
        claimed_from=loan.state,
        claim_decided_by_id=None,
        claim_refused_on=None,
        claim_refusal_reason=None,
    )
    figures = {
        "outstanding_principal": pos.outstanding_principal,
        "payoff": pos.payoff,
        "days": pos.days_overdue,
    }
    transition(actor, loan, "claim-compensation", changes=changes, reason=note, audit_extra=figures)
    uow.flush()
    return loan


def approve_compensation(actor: User, loan_id: int) -> Loan:
    """The county approver approves the claim: the fund pays its share of the outstanding principal today."""
    loan = begin_action(actor, loan_id, "approve-compensation")
    on = clock.today()
    policy = current_policy()
    pos = position_of(loan, on)
    share = policy.fund_share
    fund_pays = fund_payout(pos.outstanding_principal, share)
    bank_bears = pos.outstanding_principal - fund_pays
    if fund_pays > 0:
        lock_fund(loan.county_code)  # the payout lowers the balance a credit's check reads
        _fund_entry(
            loan.county_code, "payout", fund_pays, on, actor, f"{loan.case_number} 代偿 / compensation", loan
        )
    changes = dict(
        compensated_on=on,
        compensation_policy_version=policy.version,
        principal_outstanding=pos.outstanding_principal,
        recovered_amount=ZERO,
        claim_decided_by_id=actor.id,
    )
    split = {
        "outstanding_principal": pos.outstanding_principal,
        "fund_share": str(share),
        "fund_pays": fund_pays,
        "bank_bears": bank_bears,
        "payoff": pos.payoff,
    }
    transition(actor, loan, "approve-compensation", changes=changes, audit_extra=split)
    uow.flush()
    return loan


def refuse_compensation(actor: User, loan_id: int, reason: str) -> Loan:
    """The county approver refuses the claim with a reason: the loan goes back to where it was."""
    loan = begin_action(actor, loan_id, "refuse-compensation")
    reason = _required("reason", reason, "请填写不予代偿的理由", "A reason is required")
    changes = dict(claim_decided_by_id=actor.id, claim_refused_on=clock.today(), claim_refusal_reason=reason)
    transition(actor, loan, "refuse-compensation", dest=loan.claimed_from, changes=changes, reason=reason)
    uow.flush()
    return loan


def compensation_split(loan: Loan) -> dict[str, Decimal] | None:
    """The fund's payout and the bank's part of a compensated loan, and what was recovered."""
    if loan.compensated_on is None:
        return None
    principal = loan.principal_outstanding or ZERO
    fund = _fund_total(loan, "payout")
    return {
        "principal": principal,
        "fund_paid": fund,
        "bank_bore": principal - fund,
        "recovered": loan.recovered_amount or ZERO,
        "fund_recovered": _fund_total(loan, "recovery"),
    }


def _fund_total(loan: Loan, kind: str) -> Decimal:
    total = db.session.scalar(
        select(func.sum(FundEntry.amount)).where(FundEntry.loan_id == loan.id, FundEntry.kind == kind)
    )
    return Decimal(total or 0).quantize(Decimal("0.01"))


# --- recover (追偿) -----------------------------------------------------------------------------


def recover_loan(actor: User, loan_id: int, amount: Decimal, on: date | None = None) -> Loan:
    """Record money recovered after compensation (追偿).

    It settles what was owed at compensation like a repayment (penalty, interest, then
    principal); the principal it recovers goes back to the fund in the compensation's
    share, interest and penalty to the bank, and the fund never gets back more than it paid.
    """
    loan = begin_action(actor, loan_id, "recover")
    on = on or clock.today()
    check_event_date(loan, on)
    if amount <= 0:
        raise Invalid({"amount": [msg("金额须大于零", "The amount must be positive")]})
    owed = position_of(loan, loan.compensated_on).payoff
    before = loan.recovered_amount or ZERO
    after = before + amount
    if after > owed:
        left = format_money(owed - before)
        raise Invalid(
            {
                "amount": [
                    msg(
                        f"追回金额超过代偿时的欠款：最多还可追回 {left} 元",
                        f"The recovery exceeds what was owed at compensation: at most {left} yuan is left",
                        "recovery.too_much",
                    )
                ]
            }
        )
    share = policy_version(loan.compensation_policy_version).fund_share
    principal = loan.principal_outstanding or ZERO
    fund_due = fund_recovered(after, owed, principal, share, _fund_total(loan, "payout"))
    fund_part = max(ZERO, fund_due - _fund_total(loan, "recovery"))
    if fund_part > 0:
        _fund_entry(
            loan.county_code, "recovery", fund_part, on, actor, f"{loan.case_number} 追偿 / recovery", loan
        )
    split = {
        "amount": amount,
        "date": on,
        "principal": recovered_principal(after, owed, principal)
        - recovered_principal(before, owed, principal),
        "fund_part": fund_part,
        "bank_part": amount - fund_part,
    }
    transition(actor, loan, "recover", changes={"recovered_amount": after}, audit_extra=split)
    uow.flush()
    return loan
