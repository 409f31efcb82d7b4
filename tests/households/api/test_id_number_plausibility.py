"""An ID number must open with a province code and carry a birth year from 1900 (issue 9, point 11)."""

from __future__ import annotations

import pytest

from loanflow.core.domain.idcard import check_character
from loanflow.extensions import db
from loanflow.households.models import Household

VILLAGE_A = "341503001001"


def body_with(id_number: str) -> dict:
    return {
        "village_code": VILLAGE_A,
        "address": "3组12号",
        "status": "not_out",
        "monitoring": "none",
        "attribute": "general",
        "main_cause": "illness",
        "secondary_causes": [],
        "income_per_head": "4500.00",
        "account_type": "passbook",
        "bank_account": "1234567890",
        "bank_name": "裕安区农村商业银行",
        "members": [{"name": "张三", "id_number": id_number, "relation": "head", "labour": "normal"}],
    }


@pytest.mark.parametrize(
    "id_number, words",
    [
        ("000000180001010026", "省级行政区划代码"),  # the number: check character right
        ("11010518000101002" + check_character("11010518000101002"), "1900"),
    ],
)
def test_an_implausible_id_number_is_refused_naming_the_member_field_and_nothing_is_written(
    client, login, id_number, words
):
    before = db.session.query(Household).count()
    r = client.post("/api/v1/households", json=body_with(id_number), headers=login("clerk"))
    assert r.status_code == 422
    assert words in r.json["errors"]["members[0].id_number"][0]
    assert db.session.query(Household).count() == before
