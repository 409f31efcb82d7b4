"""Eligibility (贷款准入条件) for the 5321 poverty-relief small loan.

``check_loan_eligibility`` returns every rule the application fails, each a
``Reason`` a clerk can read out; an empty list means eligible. It is called at
application and again at credit, with plain facts so that it needs no database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from loanflow.core.domain.idcard import IdNumberError, age_on, parse_id_number
from loanflow.core.domain.labels import label
from loanflow.core.domain.money import format_money
from loanflow.core.domain.policy import Policy
from loanflow.core.domain.reasons import Reason

# A loan in one of these states no longer stands in the way of a new one.
CLOSED_LOAN_STATES = frozenset({"repaid", "rejected", "withdrawn"})
# A loan that went wrong bars the household from a new one.
BAD_LOAN_STATES = frozenset({"overdue", "recalled", "compensation_claimed", "compensated"})


@dataclass(frozen=True)
class MemberFacts:
    """A member of the household as far as eligibility cares: who they are."""

    id_number: str | None
    name: str = ""


@dataclass(frozen=True)
class HouseholdFacts:
    """The registered household (建档立卡户) and the states of its other loans of this product."""

    status: str
    monitoring: str
    members: Sequence[MemberFacts]
    other_loan_states: Sequence[str] = ()


@dataclass(frozen=True)
class LoanApplication:
    """What is asked for: borrower, amount, term, purpose, consent; ``applied_on`` defaults to today."""

    borrower_id_number: str
    amount: Decimal
    term_months: int
    purpose: str
    consent: bool
    applied_on: date | None = None


@dataclass(frozen=True)
class FundFacts:
    """The county risk-compensation fund (县风险补偿金): its balance and the principal lent against it."""

    balance: Decimal
    outstanding_principal: Decimal


def _states_zh(states: Sequence[str]) -> str:
    return "、".join(label("loan_state", s) for s in sorted(set(states)))


def _states_en(states: Sequence[str]) -> str:
    return ", ".join(sorted(set(states)))


def _household_admitted(household: HouseholdFacts, policy: Policy) -> list[Reason]:
    if household.status in policy.loan["admitted_statuses"]:
        return []
    if household.monitoring in policy.loan["admitted_monitoring"]:
        return []
    status_zh, monitoring_zh = label("status", household.status), label("monitoring", household.monitoring)
    return [
        Reason(
            "household.not_admitted",
            f"该户脱贫状态“{status_zh}”和监测类型“{monitoring_zh}”均不在政策准入范围内",
            f"Neither the household's status '{household.status}' nor its monitoring "
            f"'{household.monitoring}' is admitted by the policy",
        )
    ]


def _borrower(application: LoanApplication, household: HouseholdFacts, policy: Policy, today: date):
    try:
        borrower = parse_id_number(application.borrower_id_number, today)
    except IdNumberError as error:
        return [error.reason]
    if not any((m.id_number or "").upper() == borrower.value for m in household.members):
        return [
            Reason(
                "borrower.not_member",
                "借款人不是该户家庭成员",
                "The borrower is not a member of the household",
            )
        ]
    age = age_on(borrower.birth_date, application.applied_on or today)
    low, high = int(policy.loan["min_age"]), int(policy.loan["max_age"])
    if age < low:
        return [
            Reason(
                "borrower.too_young",
                f"借款人年龄 {age} 岁，低于政策下限 {low} 岁",
                f"The borrower is {age}, below the policy minimum of {low}",
            )
        ]
    if age > high:
        return [
            Reason(
                "borrower.too_old",
                f"借款人年龄 {age} 岁，超过政策上限 {high} 岁",
                f"The borrower is {age}, above the policy maximum of {high}",
            )
        ]
    return []


def _other_loans(household: HouseholdFacts) -> list[Reason]:
    reasons = []
    open_states = [s for s in household.other_loan_states if s not in CLOSED_LOAN_STATES]
    if open_states:
        reasons.append(
            Reason(
                "household.open_loan",
                f"该户已有未结清的扶贫小额信贷（{_states_zh(open_states)}）",
                f"The household already has an open loan of this product ({_states_en(open_states)})",
            )
        )
    bad_states = [s for s in household.other_loan_states if s in BAD_LOAN_STATES]
    if bad_states:
        reasons.append(
            Reason(
                "household.bad_loan",
                f"该户有逾期、被收回或已代偿的贷款（{_states_zh(bad_states)}）",
                f"The household has a loan overdue, recalled or compensated ({_states_en(bad_states)})",
            )
        )
    return reasons


def _purpose(application: LoanApplication, policy: Policy) -> list[Reason]:
    allowed = policy.purposes
    if application.purpose in allowed:
        return []
    return [
        Reason(
            "loan.purpose_not_allowed",
            f"贷款用途“{label('purpose', application.purpose)}”不在政策范围内，"
            f"只能用于：{'、'.join(label('purpose', p) for p in allowed)}",
            f"The purpose '{application.purpose}' is not allowed; "
            f"the policy allows: {', '.join(label('purpose', p, 'en') for p in allowed)}",
        )
    ]


def _amount(application: LoanApplication, policy: Policy) -> list[Reason]:
    amount, ceiling = application.amount, policy.max_amount
    if amount <= 0:
        return [Reason("loan.amount_not_positive", "贷款金额必须大于 0", "The amount must be greater than 0")]
    if amount > ceiling:
        return [
            Reason(
                "loan.amount_above_max",
                f"贷款金额 {format_money(amount)} 元，超过政策上限 {format_money(ceiling)} 元",
                f"The amount {format_money(amount)} yuan is above the policy maximum of "
                f"{format_money(ceiling)} yuan",
            )
        ]
    return []


def _term(application: LoanApplication, policy: Policy) -> list[Reason]:
    term = application.term_months
    low, high = int(policy.loan["min_term_months"]), int(policy.loan["max_term_months"])
    if not isinstance(term, int) or isinstance(term, bool):
        return [
            Reason("loan.term_not_whole", "贷款期限必须是整月数", "The term must be a whole number of months")
        ]
    if term < low:
        return [
            Reason(
                "loan.term_too_short",
                f"贷款期限 {term} 个月，短于政策下限 {low} 个月",
                f"The term of {term} months is below the policy minimum of {low} months",
            )
        ]
    if term > high:
        return [
            Reason(
                "loan.term_too_long",
                f"贷款期限 {term} 个月，超过政策上限 {high} 个月",
                f"The term of {term} months is above the policy maximum of {high} months",
            )
        ]
    return []


def _consent(application: LoanApplication) -> list[Reason]:
    if application.consent is True:
        return []
    return [
        Reason(
            "loan.consent_missing",
            "未记录该户的申请同意",
            "The household's consent is not recorded",
        )
    ]


def _fund(application: LoanApplication, fund: FundFacts, policy: Policy) -> list[Reason]:
    leverage = int(policy.loan["fund_leverage"])
    ceiling = fund.balance * leverage
    total = fund.outstanding_principal + application.amount
    if total <= ceiling:
        return []
    balance, ceiling_s = format_money(fund.balance), format_money(ceiling)
    outstanding, amount, total_s = (
        format_money(fund.outstanding_principal),
        format_money(application.amount),
        format_money(total),
    )
    return [
        Reason(
            "fund.leverage_exceeded",
            f"县风险补偿金余额 {balance} 元，按 {leverage} 倍放大可贷 {ceiling_s} 元；"
            f"现有在贷本金 {outstanding} 元加本笔 {amount} 元共 {total_s} 元，超过上限",
            f"The county fund holds {balance} yuan, allowing {ceiling_s} yuan at {leverage} times; "
            f"outstanding principal {outstanding} yuan plus this {amount} yuan makes {total_s} yuan, "
            "above that limit",
        )
    ]


def check_loan_eligibility(
    application: LoanApplication,
    household: HouseholdFacts,
    policy: Policy,
    today: date,
    *,
    fund: FundFacts,
) -> list[Reason]:
    """Every eligibility rule the application fails (empty = eligible), in the order of the spec.

    ``today`` is the business date; the borrower's age is taken on
    ``application.applied_on`` (or today). ``household.other_loan_states`` must
    not include the loan being checked.
    """
    return [
        *_household_admitted(household, policy),
        *_borrower(application, household, policy, today),
        *_other_loans(household),
        *_purpose(application, policy),
        *_amount(application, policy),
        *_term(application, policy),
        *_consent(application),
        *_fund(application, fund, policy),
    ]
