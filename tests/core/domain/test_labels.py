import pytest

from loanflow.core.domain.labels import LABELS, LABELS_EN, codes, label
from loanflow.core.domain.policy import DEFAULT_POLICY


def test_a_register_status_has_its_chinese_label():
    assert LABELS["status"]["not_out"] == "未脱贫"
    assert label("monitoring", "marginal") == "边缘易致贫户"
    assert label("cause", "motivation") == "自身发展动力不足"


def test_every_loan_state_has_the_label_of_the_spec():
    assert LABELS["loan_state"] == {
        "applied": "已申请",
        "rated": "已评级",
        "credited": "已授信",
        "disbursed": "已放款",
        "overdue": "逾期",
        "recalled": "已收回",
        "repaid": "已结清",
        "compensation_claimed": "代偿待审批",
        "compensated": "已代偿",
        "rejected": "已拒绝",
        "withdrawn": "已撤回",
    }


def test_every_subsidy_state_has_the_label_of_the_spec():
    assert LABELS["subsidy_state"] == {
        "applied": "已申报",
        "verified": "已核验",
        "publicized": "公示中",
        "approved": "已审批",
        "disbursed": "已发放",
        "rejected": "已拒绝",
        "withdrawn": "已撤回",
    }


def test_roles_have_their_chinese_titles():
    assert LABELS["role"] == {
        "clerk": "经办员",
        "bank_officer": "信贷员",
        "approver": "扶贫办审核员",
        "supervisor": "督查员",
        "admin": "系统管理员",
    }


def test_every_default_policy_purpose_has_a_label():
    for purpose in DEFAULT_POLICY["loan"]["purposes"]:
        assert purpose in LABELS["purpose"]
    assert label("purpose", "trade") == "商贸流通"


def test_every_kind_has_an_english_label_for_every_code():
    assert LABELS_EN.keys() == LABELS.keys()
    for kind, table in LABELS.items():
        assert LABELS_EN[kind].keys() == table.keys()
        assert all(LABELS_EN[kind].values())


def test_english_labels_are_given_on_request():
    assert label("loan_state", "repaid", lang="en") == "Repaid"


def test_an_unknown_code_is_shown_as_itself_but_an_unknown_kind_is_an_error():
    assert label("purpose", "fishery") == "fishery"
    with pytest.raises(KeyError):
        label("colour", "red")


def test_codes_keep_the_order_of_the_spec():
    assert codes("status") == ["not_out", "out", "relapsed"]
    assert codes("relation")[0] == "head"
