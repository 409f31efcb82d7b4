"""What the loan's state table cannot say: who sees a loan (404), the refusal messages, four eyes (403),
and the case guards (409) that ``loans.workflow`` declares beside the table.

Nothing here is registered anywhere: ``loans.workflow`` names each guard for
its action, so the guards hold in every interpreter whatever was imported
first. Guards read (the position, the repayments), never write.
"""

from __future__ import annotations

from datetime import date

from loanflow.accounts.models import User
from loanflow.core import uow
from loanflow.core.domain.labels import label
from loanflow.core.domain.policy import Policy
from loanflow.core.domain.workflows import LOAN, Step
from loanflow.core.errors import Msg, NotFound, msg
from loanflow.core.scope import sees_village
from loanflow.core.workflow import Moment
from loanflow.loans.domain.ledger import max_extension_months
from loanflow.loans.models import Loan
from loanflow.loans.services.position import position_of, repayments_of

# The stage whose deadline runs while the loan waits in a state (DOMAIN.md "Deadlines").
WAITING_STAGES = {
    "applied": "applied",
    "rated": "rated",
    "credited": "credited",
    "compensation_claimed": "compensation_claimed",
}
# The fund is the county's public money: only a county-level approver decides a claim on it.
COUNTY_STEPS = frozenset({"approve-compensation", "refuse-compensation"})

ROLE_REFUSALS = {
    "clerk": ("只有经办员可以办理此操作", "Only a clerk may do this"),
    "bank_officer": ("只有信贷员可以办理此操作", "Only a bank loan officer may do this"),
    "approver": (
        "只有县级扶贫办审核员可以审批代偿",
        "Only a county-level approver may decide a compensation claim",
    ),
}


# --- scope (404) and the refusal messages --------------------------------------------------------


def can_see_loan(user: User, loan: Loan) -> bool:
    return sees_village(user, loan.village_code)


def load_loan(actor: User, loan_id: int) -> Loan:
    """The loan if the caller may see it; 404 otherwise (outside the region looks like absent)."""
    loan = uow.get(Loan, loan_id)
    if loan is None or not can_see_loan(actor, loan):
        raise NotFound(msg(f"贷款 {loan_id} 不存在", f"Loan {loan_id} not found"))
    return loan


def role_refusal(actor: User, action: str, step: Step | None) -> Msg:
    roles = sorted(step.roles) if step else []
    zh, en = ROLE_REFUSALS.get(roles[0] if roles else "", ("您的角色不能办理此操作", "Your role may not"))
    return msg(zh, en, "role")


def state_refusal(loan: Loan, action: str) -> Msg:
    return msg(
        f"贷款当前状态为“{label('loan_state', loan.state)}”，不能{label('loan_action', action)}",
        f"The loan is {loan.state}; '{action}' is not allowed in that state",
        "state",
    )


LOST_RACE = msg(
    "该贷款刚被他人办理，状态已变化，请刷新后重试",
    "Someone else acted on this loan first; reload and retry",
    "state_changed",
)


# --- four eyes (403) ----------------------------------------------------------------------------


def actor_of(loan: Loan, action: str) -> int | None:
    """Who took an earlier action on the loan (for four eyes)."""
    return {
        "apply": loan.applied_by_id,
        "rate": loan.rated_by_id,
        "credit": loan.credited_by_id,
        "disburse": loan.disbursed_by_id,
        "request-extension": loan.extension_requested_by_id,
    }.get(action)


def four_eyes_reason(user: User, loan: Loan, action: str, four_eyes: bool = True) -> Msg | None:
    """四眼原则: who credited the loan may not disburse it; who recorded a repayment may not reverse it."""
    step = LOAN.by_action.get(action)
    if not four_eyes or step is None or step.not_by_actor_of is None:
        return None
    if step.not_by_actor_of == "repay":
        return _reversal_four_eyes(user, loan)
    if actor_of(loan, step.not_by_actor_of) != user.id:
        return None
    return msg(
        "四眼原则：授信人不得办理同一笔贷款的放款，须由另一名信贷员办理",
        "Four eyes: the officer who credited the loan may not disburse it; another officer must",
        "four_eyes",
    )


def level_allows(user: User, action: str) -> bool:
    """A compensation claim is decided by an approver of the county, not of a township."""
    return action not in COUNTY_STEPS or user.region_level == "county"


def county_level(user: User, loan: Loan, step: Step, now: Moment) -> Msg | None:
    """``level_allows`` as the engine's guard, with its refusal."""
    if not level_allows(user, step.action):
        return msg(
            "只有县级扶贫办审核员可以审批代偿申请",
            "Only a county-level approver may decide a compensation claim",
            "level",
        )
    return None


def four_eyes(user: User, loan: Loan, step: Step, now: Moment) -> Msg | None:
    """The engine's refusal hook: reads the policy's four-eyes switch only for a four-eyes step."""
    if step.not_by_actor_of is None:
        return None
    return four_eyes_reason(user, loan, step.action, now.four_eyes)


def _reversal_four_eyes(user: User, loan: Loan) -> Msg | None:
    """Refused when every live repayment was recorded by the caller (none live: the guard's 409)."""
    recorders = {r.recorded_by_id for r in repayments_of(loan.id, live_only=True)}
    if not recorders or recorders != {user.id}:
        return None
    return msg(
        "四眼原则：录入还款的信贷员不得冲正，须由另一名信贷员办理",
        "Four eyes: the officer who recorded the repayments may not reverse them; another officer must",
        "four_eyes",
    )


# --- case guards (409) --------------------------------------------------------------------------


def something_owed(user: User, loan: Loan, now: Moment) -> Msg | None:
    pos = position_of(loan)
    if pos is not None and pos.is_repaid:
        return msg("该贷款已无欠款", "Nothing is owed on the loan", "nothing_owed")
    return None


def has_live_repayment(user: User, loan: Loan, now: Moment) -> Msg | None:
    """Reversal needs a live repayment; one recorded by someone else is four eyes (``four_eyes_reason``)."""
    live = repayments_of(loan.id, live_only=True)  # the ledger reads the same list in this request
    if not live:
        return msg("该贷款没有可冲正的还款", "The loan has no repayment to reverse", "nothing_to_reverse")
    if loan.compensated_on is not None and not any(r.paid_on > loan.compensated_on for r in live):
        return reversal_after_compensation(loan)
    return None


def reversal_after_compensation(loan: Loan) -> Msg:
    """Why a repayment dated on or before the compensation stays: the fund's payout was split on it."""
    return msg(
        f"该笔还款早于 {loan.compensated_on} 的风险代偿，代偿金额已按当时的本金计算，不能冲正",
        f"The repayment is dated before the compensation of {loan.compensated_on}: the fund's payout "
        "was computed on the principal it left, so it can no longer be reversed",
        "reversal.before_compensation",
    )


def extension_months_left(loan: Loan, policy: Policy) -> int:
    return max_extension_months(loan.credited_term_months, policy.loan["extension"], loan.extension_count)


def may_request_extension(user: User, loan: Loan, now: Moment) -> Msg | None:
    today = now.today
    if loan.extension_requested_months is not None:
        return msg("已有待审批的展期申请", "An extension request is already pending", "extension.pending")
    if extension_months_left(loan, now.policy) == 0:
        return msg("展期次数已用完", "The loan may not be extended again", "extension.used")
    if loan.current_maturity is None or today >= loan.current_maturity:
        return msg("展期须在到期日前申请", "An extension is requested before maturity", "extension.matured")
    pos = position_of(loan, today)
    if pos is not None and pos.overdue:
        return msg("贷款已逾期，不能申请展期", "An overdue loan cannot be extended", "extension.overdue")
    return None


def extension_request_pending(user: User, loan: Loan, now: Moment) -> Msg | None:
    if loan.extension_requested_months is None:
        return msg("没有待审批的展期申请", "There is no pending extension request", "extension.none")
    return None


def compensation_too_early(loan: Loan, policy: Policy, on: date | None = None) -> Msg | None:
    """None when the loan may be claimed on the fund on ``on``, else why not."""
    days = int(policy.loan["compensation"]["overdue_days"])
    pos = position_of(loan, on)
    if pos is None or pos.days_overdue < days:
        held = 0 if pos is None else pos.days_overdue
        return msg(
            f"逾期（或收回后未还）{held} 天，未满 {days} 天，不能申请代偿",
            f"{held} days overdue (or unpaid after the recall); compensation needs {days}",
            "compensation.too_early",
        )
    return None


def past_compensation_threshold(user: User, loan: Loan, now: Moment) -> Msg | None:
    return compensation_too_early(loan, now.policy)
