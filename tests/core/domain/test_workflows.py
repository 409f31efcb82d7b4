"""The state tables: every action from every state for every role, as DOMAIN.md lists them."""

import pytest

from loanflow.core.domain.workflows import LOAN, SUBSIDY, NotAllowedInState, RoleMayNot

ROLES = ("clerk", "bank_officer", "approver", "supervisor", "admin")

LOAN_TABLE = {
    "rate": ({"applied"}, "bank_officer", "rated"),
    "credit": ({"rated"}, "bank_officer", "credited"),
    "disburse": ({"credited"}, "bank_officer", "disbursed"),
    "repay": ({"disbursed", "overdue", "recalled"}, "bank_officer", None),
    "request-extension": ({"disbursed"}, "clerk", None),
    "extend": ({"disbursed"}, "bank_officer", None),
    "decline-extension": ({"disbursed"}, "bank_officer", None),
    "recall": ({"disbursed", "overdue"}, "bank_officer", "recalled"),
    "claim-compensation": ({"overdue", "recalled"}, "bank_officer", "compensation_claimed"),
    "approve-compensation": ({"compensation_claimed"}, "approver", "compensated"),
    "refuse-compensation": ({"compensation_claimed"}, "approver", "overdue"),
    "recover": ({"compensated"}, "bank_officer", "compensated"),
    "reject": ({"applied", "rated", "credited"}, "bank_officer", "rejected"),
    "withdraw": ({"applied", "rated", "credited"}, "clerk", "withdrawn"),
}

SUBSIDY_TABLE = {
    "verify": ({"applied"}, "approver", "verified"),
    "publicize": ({"verified"}, "approver", "publicized"),
    "object": ({"publicized"}, "approver", "applied"),
    "approve": ({"publicized"}, "approver", "approved"),
    "disburse": ({"approved"}, "approver", "disbursed"),
    "reject": ({"applied", "verified", "publicized", "approved"}, "approver", "rejected"),
    "withdraw": ({"applied", "verified", "publicized"}, "clerk", "withdrawn"),
}


def _cases(workflow, table):
    for action, (sources, role, dest) in table.items():
        for state in workflow.states:
            for who in ROLES:
                yield pytest.param(
                    workflow,
                    action,
                    state,
                    who,
                    sources,
                    role,
                    dest,
                    id=f"{workflow.name}-{action}-{state}-{who}",
                )


@pytest.mark.parametrize(
    "workflow,action,state,who,sources,role,dest",
    list(_cases(LOAN, LOAN_TABLE)) + list(_cases(SUBSIDY, SUBSIDY_TABLE)),
)
def test_each_action_is_allowed_only_from_its_states_and_for_its_role(
    workflow, action, state, who, sources, role, dest
):
    if who != role:
        with pytest.raises(RoleMayNot):
            workflow.check(action, state, who)
    elif state not in sources:
        with pytest.raises(NotAllowedInState) as refused:
            workflow.check(action, state, who)
        assert action not in refused.value.allowed
    else:
        workflow.check(action, state, who)
        if dest is not None:
            assert workflow.outcome(state, action) == dest


def test_rating_below_the_floor_leads_to_rejected():
    assert LOAN.outcome("applied", "rate", dest="rejected") == "rejected"


def test_a_repayment_that_clears_the_loan_leads_to_repaid_and_a_partial_one_keeps_the_state():
    assert LOAN.outcome("overdue", "repay", dest="repaid") == "repaid"
    assert LOAN.outcome("overdue", "repay") == "overdue"


def test_four_eyes_is_part_of_the_table():
    assert LOAN.step("disburse").not_by_actor_of == "credit"
    assert LOAN.step("reverse-repayment").not_by_actor_of == "repay"
    assert SUBSIDY.step("approve").not_by_actor_of == "verify"


def test_the_refusal_lists_the_actions_the_role_may_take_now():
    with pytest.raises(NotAllowedInState) as refused:
        LOAN.check("disburse", "applied", "bank_officer")
    assert refused.value.allowed == ["rate", "reject"]
