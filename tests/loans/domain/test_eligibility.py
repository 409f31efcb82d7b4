import copy
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from loanflow.core.domain.idcard import check_character
from loanflow.core.domain.policy import DEFAULT_POLICY, Policy
from loanflow.loans.domain.eligibility import (
    FundFacts,
    HouseholdFacts,
    LoanApplication,
    MemberFacts,
    check_loan_eligibility,
)

TODAY = date(2026, 3, 10)
POLICY = Policy(DEFAULT_POLICY)


def id_born(yyyymmdd: str, serial: str = "002") -> str:
    first17 = "530102" + yyyymmdd + serial
    return first17 + check_character(first17)


BORROWER = id_born("19800515")
HOUSEHOLD = HouseholdFacts(
    status="not_out",
    monitoring="none",
    members=(
        MemberFacts(BORROWER, "张三"),
        MemberFacts(id_born("20150101", "004"), "张小三"),
        MemberFacts(None),
    ),
)
APPLICATION = LoanApplication(
    borrower_id_number=BORROWER,
    amount=Decimal("30000.00"),
    term_months=24,
    purpose="livestock",
    consent=True,
)
FUND = FundFacts(balance=Decimal("1000000.00"), outstanding_principal=Decimal("2000000.00"))


def codes(application=APPLICATION, household=HOUSEHOLD, policy=POLICY, fund=FUND) -> list[str]:
    return [r.code for r in check_loan_eligibility(application, household, policy, TODAY, fund=fund)]


def policy_with(**loan_changes) -> Policy:
    document = copy.deepcopy(DEFAULT_POLICY)
    document["loan"].update(loan_changes)
    return Policy(document)


def test_an_ordinary_application_is_eligible():
    assert codes() == []


def test_every_admitted_status_is_eligible():
    for status in ("not_out", "out", "relapsed"):
        assert codes(household=replace(HOUSEHOLD, status=status)) == []


def test_a_household_outside_the_admitted_statuses_is_refused():
    policy = policy_with(admitted_statuses=["not_out"])
    reasons = check_loan_eligibility(APPLICATION, replace(HOUSEHOLD, status="out"), policy, TODAY, fund=FUND)
    assert [r.code for r in reasons] == ["household.not_admitted"]
    assert "已脱贫" in reasons[0].zh


def test_a_monitored_household_is_admitted_even_when_its_status_is_not():
    policy = policy_with(admitted_statuses=["not_out"])
    assert codes(household=replace(HOUSEHOLD, status="out", monitoring="marginal"), policy=policy) == []


def test_a_borrower_over_the_maximum_age_is_refused_with_the_ages_named():
    old = id_born("19590101")
    household = replace(HOUSEHOLD, members=(MemberFacts(old),))
    reasons = check_loan_eligibility(
        replace(APPLICATION, borrower_id_number=old), household, POLICY, TODAY, fund=FUND
    )
    assert [r.as_dict() for r in reasons] == [
        {
            "code": "borrower.too_old",
            "zh": "借款人年龄 67 岁，超过政策上限 65 岁",
            "en": "The borrower is 67, above the policy maximum of 65",
        }
    ]


@pytest.mark.parametrize(
    "born, code",
    [
        ("20080310", None),
        ("20080311", "borrower.too_young"),
        ("19600311", None),
        ("19600310", "borrower.too_old"),
    ],
)
def test_the_age_limits_are_inclusive_on_the_application_date(born, code):
    number = id_born(born)
    household = replace(HOUSEHOLD, members=(MemberFacts(number),))
    assert codes(replace(APPLICATION, borrower_id_number=number), household) == ([code] if code else [])


def test_the_age_is_taken_on_the_application_date_not_at_credit():
    number = id_born("19600311")  # 65 on 10 March 2026, 66 the next day
    household = replace(HOUSEHOLD, members=(MemberFacts(number),))
    application = replace(APPLICATION, borrower_id_number=number, applied_on=date(2026, 3, 10))
    reasons = check_loan_eligibility(application, household, POLICY, date(2026, 3, 20), fund=FUND)
    assert reasons == []


def test_a_borrower_who_is_not_a_member_is_refused():
    assert codes(replace(APPLICATION, borrower_id_number=id_born("19750101", "006"))) == [
        "borrower.not_member"
    ]


def test_a_lower_case_x_in_the_borrower_number_still_finds_the_member():
    household = replace(HOUSEHOLD, members=(MemberFacts("11010519491231002X"),))
    application = replace(APPLICATION, borrower_id_number="11010519491231002x")
    assert codes(application, household) == ["borrower.too_old"]


def test_an_invalid_borrower_id_number_is_reported_as_such():
    assert codes(replace(APPLICATION, borrower_id_number="110105194912310021")) == [
        "id_number.check_character"
    ]


@pytest.mark.parametrize("state", ["applied", "rated", "credited", "disbursed"])
def test_another_open_loan_of_the_household_is_refused(state):
    assert codes(household=replace(HOUSEHOLD, other_loan_states=(state,))) == ["household.open_loan"]


def test_closed_loans_do_not_stand_in_the_way():
    household = replace(HOUSEHOLD, other_loan_states=("repaid", "rejected", "withdrawn"))
    assert codes(household=household) == []


@pytest.mark.parametrize("state", ["overdue", "recalled", "compensated"])
def test_a_loan_gone_wrong_bars_the_household(state):
    assert "household.bad_loan" in codes(household=replace(HOUSEHOLD, other_loan_states=(state,)))


@pytest.mark.parametrize("purpose", ["wedding", "house_building", "consumption", ""])
def test_a_purpose_outside_the_policy_list_is_refused(purpose):
    reasons = check_loan_eligibility(
        replace(APPLICATION, purpose=purpose), HOUSEHOLD, POLICY, TODAY, fund=FUND
    )
    assert [r.code for r in reasons] == ["loan.purpose_not_allowed"]
    assert "种植、养殖、加工、商贸流通、乡村旅游" in reasons[0].zh


def test_every_policy_purpose_is_allowed():
    for purpose in DEFAULT_POLICY["loan"]["purposes"]:
        assert codes(replace(APPLICATION, purpose=purpose)) == []


@pytest.mark.parametrize(
    "amount, code",
    [
        ("0.00", "loan.amount_not_positive"),
        ("-1", "loan.amount_not_positive"),
        ("50000.01", "loan.amount_above_max"),
    ],
)
def test_an_amount_outside_the_policy_range_is_refused(amount, code):
    assert codes(replace(APPLICATION, amount=Decimal(amount))) == [code]


def test_the_maximum_amount_itself_is_allowed():
    assert codes(replace(APPLICATION, amount=Decimal("50000.00"))) == []


def test_the_amount_reason_names_both_figures():
    reasons = check_loan_eligibility(
        replace(APPLICATION, amount=Decimal("60000")), HOUSEHOLD, POLICY, TODAY, fund=FUND
    )
    assert reasons[0].zh == "贷款金额 60000.00 元，超过政策上限 50000.00 元"


@pytest.mark.parametrize(
    "term, code",
    [
        (0, "loan.term_too_short"),
        (1, None),
        (36, None),
        (37, "loan.term_too_long"),
        (12.5, "loan.term_not_whole"),
        (True, "loan.term_not_whole"),
    ],
)
def test_the_term_is_whole_months_within_the_policy_range(term, code):
    assert codes(replace(APPLICATION, term_months=term)) == ([code] if code else [])


def test_an_application_without_consent_is_refused():
    assert codes(replace(APPLICATION, consent=False)) == ["loan.consent_missing"]


def test_the_fund_leverage_may_be_reached_but_not_passed():
    at_limit = FundFacts(Decimal("100000.00"), Decimal("970000.00"))
    assert codes(fund=at_limit) == []
    over = FundFacts(Decimal("100000.00"), Decimal("970000.01"))
    reasons = check_loan_eligibility(APPLICATION, HOUSEHOLD, POLICY, TODAY, fund=over)
    assert [r.code for r in reasons] == ["fund.leverage_exceeded"]
    assert "100000.00" in reasons[0].zh and "1000000.00" in reasons[0].zh and "1000000.01" in reasons[0].zh
    assert "10 times" in reasons[0].en


def test_every_failed_rule_is_reported_at_once():
    application = replace(
        APPLICATION, amount=Decimal("80000"), term_months=48, purpose="wedding", consent=False
    )
    household = replace(HOUSEHOLD, other_loan_states=("overdue",))
    fund = FundFacts(Decimal("0.00"), Decimal("0.00"))
    assert codes(application, household, fund=fund) == [
        "household.open_loan",
        "household.bad_loan",
        "loan.purpose_not_allowed",
        "loan.amount_above_max",
        "loan.term_too_long",
        "loan.consent_missing",
        "fund.leverage_exceeded",
    ]
    for reason in check_loan_eligibility(application, household, POLICY, TODAY, fund=fund):
        assert reason.zh and reason.en
