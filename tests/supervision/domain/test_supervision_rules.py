"""The pure rules: which moves take a waiting case on, reproducible samples, masked names and phones."""

from __future__ import annotations

from loanflow.core.domain.idcard import mask_phone
from loanflow.core.domain.workflows import LOAN, SUBSIDY
from loanflow.supervision.domain.masking import mask_name
from loanflow.supervision.domain.progress import acting_roles, moving_actions
from loanflow.supervision.domain.sampling import draw_sample, draw_seed


def test_giving_a_case_up_never_counts_as_moving_it_on():
    assert moving_actions(LOAN, "credited", "bank_officer") == ["disburse"]
    assert moving_actions(LOAN, "credited", "clerk") == []  # withdrawing is no progress
    assert moving_actions(SUBSIDY, "approved", "approver") == ["disburse"]
    assert acting_roles(LOAN, "applied") == ["bank_officer"]
    assert acting_roles(SUBSIDY, "publicized") == ["approver"]
    assert acting_roles(LOAN, "rejected") == []


def test_the_same_seed_draws_the_same_cases_in_the_same_order_and_another_seed_others():
    population = list(range(1, 201))
    first = draw_sample(population, 10, "20260310")
    assert first == draw_sample(population, 10, "20260310")
    assert len(set(first)) == 10 and set(first) <= set(population)
    assert first != draw_sample(population, 10, "20260311")
    assert sorted(draw_sample(population[:5], 10, "x")) == population[:5]  # never more than there are


def test_a_drawn_seed_is_eight_digits():
    seed = draw_seed()
    assert len(seed) == 8 and seed.isdigit()


def test_names_and_phones_keep_only_what_identifies_nobody():
    assert mask_name("王德明") == "王**"
    assert mask_name("李") == "李*"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("1234") == "****"  # a short value is not shown whole (the supervision copy did)


def test_a_claim_moves_on_by_its_decision_and_an_extension_request_by_a_decision_in_place():
    assert acting_roles(LOAN, "compensation_claimed") == ["approver"]  # a reversal leaves the claim waiting
    assert set(moving_actions(LOAN, "compensation_claimed", "approver")) == {
        "approve-compensation",
        "refuse-compensation",
    }
    assert moving_actions(LOAN, "compensation_claimed", "bank_officer") == []
    assert acting_roles(LOAN, "disbursed") == ["bank_officer"]
