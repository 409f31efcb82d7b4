"""The versioned policy through the API and the CLI: publish, refuse a bad document whole, keep old versions."""

from __future__ import annotations

from decimal import Decimal

import pytest
import yaml
from sqlalchemy import func, select

from loanflow.audit.models import AuditEvent
from loanflow.core.domain.policy import default_policy_document
from loanflow.extensions import db
from loanflow.loans.models import Loan
from loanflow.loans.services import credit as loan_credit
from loanflow.loans.testing.factories import drive, fresh_households, open_loan
from loanflow.policy.models import PolicyVersion

pytestmark = pytest.mark.bare_demo  # the demo county without seeded cases


def higher_rates() -> dict:
    document = default_policy_document()
    document["loan"]["rates"].append(
        {"effective_from": "2026-03-01", "max_term_months": 12, "rate": "0.0280"}
    )
    document["loan"]["rates"].append(
        {"effective_from": "2026-03-01", "max_term_months": 36, "rate": "0.0330"}
    )
    document["loan"]["max_amount"] = "60000.00"
    return document


def versions() -> int:
    return db.session.scalar(select(func.count(PolicyVersion.version)))


def test_anyone_signed_in_reads_the_policy_in_force_with_its_version(client, login):
    r = client.get("/api/v1/policy", headers=login("clerk"))
    assert r.status_code == 200
    assert r.json["version"] == 1
    assert r.json["loan"]["max_amount"] == "50000.00"
    assert [i["max"] for i in r.json["loan"]["scorecard"]] == [10, 15, 15, 20, 25, 15]
    assert "planting" in r.json["loan"]["purposes"]
    assert {i["code"] for i in r.json["subsidy"]["industries"]} >= {"pig", "tea"}


def test_an_admin_publishes_a_new_version_and_the_old_one_stays_readable(client, login):
    r = client.post(
        "/api/v1/policy", json={"document": higher_rates(), "note": "2026 LPR"}, headers=login("admin")
    )
    assert r.status_code == 201, r.json
    assert r.json["version"] == 2 and r.json["loan"]["max_amount"] == "60000.00"
    assert client.get("/api/v1/policy", headers=login("clerk")).json["version"] == 2
    old = client.get("/api/v1/policy/versions/1", headers=login("clerk")).json
    assert old["version"] == 1 and old["loan"]["max_amount"] == "50000.00"
    listed = client.get("/api/v1/policy/versions", headers=login("clerk")).json["items"]
    assert [v["version"] for v in listed] == [1, 2] and listed[1]["note"] == "2026 LPR"
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "policy.publish")).all()[-1]
    assert event.actor == "admin" and event.after["version"] == 2


def test_a_bad_document_is_refused_whole_naming_every_path(client, login):
    document = default_policy_document()
    document["loan"]["max_amount"] = 50000
    document["loan"]["scorecard"][0]["max"] = 11
    document["loan"]["rates"][0]["rate"] = "0.9"
    r = client.post("/api/v1/policy", json={"document": document}, headers=login("admin"))
    assert r.status_code == 422
    assert {"loan.max_amount", "loan.rates[0].rate"} <= set(r.json["errors"])
    assert versions() == 1
    r = client.post("/api/v1/policy", json={"nothing": 1}, headers=login("admin"))
    assert r.status_code == 422 and "document" in r.json["errors"]


def test_only_an_admin_publishes(client, login):
    for user in ("clerk", "officer", "approver2", "supervisor"):
        r = client.post("/api/v1/policy", json={"document": higher_rates()}, headers=login(user))
        assert r.status_code == 403, user
    assert versions() == 1


def test_the_cli_publishes_a_yaml_file_and_refuses_a_bad_one_naming_the_paths(app, demo, tmp_path):
    good, bad = tmp_path / "policy.yaml", tmp_path / "bad.yaml"
    good.write_text(yaml.safe_dump(higher_rates(), allow_unicode=True), encoding="utf-8")
    broken = default_policy_document()
    broken["loan"]["min_age"] = -1
    del broken["subsidy"]["household_cap"]
    bad.write_text(yaml.safe_dump(broken, allow_unicode=True), encoding="utf-8")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["loanflow", "publish-policy", str(bad)])
    assert result.exit_code == 2
    assert "subsidy.household_cap" in result.output
    assert versions() == 1
    result = runner.invoke(args=["loanflow", "publish-policy", str(good), "--note", "from file"])
    assert result.exit_code == 0, result.output
    assert "version 2" in result.output
    assert db.session.get(PolicyVersion, 2).note == "from file"


def test_a_credit_keeps_the_version_and_rate_it_was_made_under_after_a_new_version(client, login, funded):
    first, second = fresh_households(funded["clerk"].region_code)[:2]
    loan = drive(open_loan(funded["clerk"], first, "20000.00", 12), "credited", officer=funded["officer"])
    assert (loan.rate, loan.credit_policy_version) == (Decimal("0.0300"), 1)
    assert (
        client.post("/api/v1/policy", json={"document": higher_rates()}, headers=login("admin")).status_code
        == 201
    )
    shown = client.get(f"/api/v1/loans/{loan.id}", headers=login("officer2")).json
    assert shown["rate"] == "0.0300" and shown["credit_policy_version"] == 1
    assert shown["application_policy_version"] == 1 and shown["rating"]["policy_version"] == 1
    later = drive(open_loan(funded["clerk"], second, "20000.00", 12), "credited", officer=funded["officer"])
    assert (later.rate, later.credit_policy_version, later.application_policy_version) == (
        Decimal("0.0280"),
        2,
        2,
    )
    disbursed = loan_credit.disburse_loan(funded["officer2"], loan.id)
    assert disbursed.rate == Decimal("0.0300")
    lines = client.get(f"/api/v1/loans/{loan.id}/schedule", headers=login("officer2")).json["lines"]
    assert {line["rate"] for line in lines} == {"0.0300"}


def test_a_bad_document_is_explained_in_chinese_and_in_english(client, login):
    document = default_policy_document()
    document["loan"]["rates"][0]["rate"] = "0.9"
    document["subsidy"]["cap_period"] = "forever"
    r = client.post("/api/v1/policy", json={"document": document}, headers=login("admin"))
    assert r.status_code == 422
    assert r.json["errors"]["loan.rates[0].rate"] == ["须在 0 至 0.5 之间"]
    assert r.json["errors"]["subsidy.cap_period"] == ["须为 calendar_year（自然年）或 campaign（攻坚期）"]
    english = client.post(
        "/api/v1/policy", json={"document": document}, headers={**login("admin"), "Accept-Language": "en"}
    )
    assert english.json["errors"]["loan.rates[0].rate"] == ["must be between 0 and 0.5"]


def test_a_rate_row_that_is_not_an_object_is_a_422_naming_it_not_a_500(client, login):
    document = default_policy_document()
    document["loan"]["rates"] = ["x"]
    r = client.post("/api/v1/policy", json={"document": document}, headers=login("admin"))
    assert r.status_code == 422
    assert list(r.json["errors"]) == ["loan.rates[0]"]
    assert versions() == 1


def test_a_credit_on_a_day_the_rate_table_has_no_rate_is_a_422_naming_the_term(client, login, funded):
    later = default_policy_document()
    later["loan"]["rates"] = [
        {"effective_from": "2026-06-01", "max_term_months": 12, "rate": "0.0300"},
        {"effective_from": "2026-06-01", "max_term_months": 36, "rate": "0.0350"},
    ]
    assert client.post("/api/v1/policy", json={"document": later}, headers=login("admin")).status_code == 201
    loan = drive(
        open_loan(funded["clerk"], fresh_households("341503001001")[0]), "rated", officer=funded["officer"]
    )
    r = client.post(
        f"/api/v1/loans/{loan.id}/credit",
        json={"amount": "10000.00", "term_months": 12},
        headers=login("officer"),
    )
    assert r.status_code == 422
    assert "没有 2026-03-10 适用于 12 个月期限的利率" in r.json["errors"]["term_months"][0]
    assert db.session.get(Loan, loan.id).state == "rated"
