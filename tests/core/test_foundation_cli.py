"""The commands an operator runs, the masking of logs, and the one clock."""

from __future__ import annotations

import logging
import sys
from datetime import date

from loanflow.accounts.models import User
from loanflow.core import clock
from loanflow.core.logging import mask_text
from loanflow.extensions import db


def test_create_user_makes_a_user_who_can_get_a_token(app, client, demo):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "loanflow",
            "create-user",
            "--username",
            "clerk9",
            "--full-name",
            "赵九",
            "--role",
            "clerk",
            "--region",
            "341503003001",
            "--password",
            "long-enough-pw",
        ]
    )
    assert result.exit_code == 0, result.output
    assert (
        client.post("/api/v1/tokens", json={"username": "clerk9", "password": "long-enough-pw"}).status_code
        == 201
    )


def test_create_user_refuses_an_unknown_region_and_a_short_password_naming_both(app, demo):
    result = app.test_cli_runner().invoke(
        args=[
            "loanflow",
            "create-user",
            "--username",
            "x",
            "--full-name",
            "X",
            "--role",
            "clerk",
            "--region",
            "999999",
            "--password",
            "short",
        ]
    )
    assert result.exit_code == 2
    assert "region" in result.output and "password" in result.output
    assert db.session.scalar(db.select(User).where(User.username == "x")) is None


def test_a_bank_officer_must_belong_to_a_branch(app, demo):
    result = app.test_cli_runner().invoke(
        args=[
            "loanflow",
            "create-user",
            "--username",
            "o9",
            "--full-name",
            "O",
            "--role",
            "bank_officer",
            "--region",
            "341503",
            "--password",
            "long-enough-pw",
        ]
    )
    assert result.exit_code == 2 and "branch" in result.output


def test_the_demo_command_builds_the_county_once(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["loanflow", "demo", "--households", "5"])
    assert first.exit_code == 0, first.output
    assert '"villages": 87' in first.output and '"townships": 11' in first.output
    again = runner.invoke(args=["loanflow", "demo", "--if-empty"])
    assert again.exit_code == 0 and "skipping" in again.output
    names = set(db.session.scalars(db.select(User.username)))
    assert {
        "clerk",
        "clerk2",
        "officer",
        "officer2",
        "officer3",
        "approver",
        "approver2",
        "approver3",
        "supervisor",
        "admin",
    } <= names


def test_logs_never_carry_a_whole_id_number_or_account(app, caplog):
    assert mask_text("borrower 11010519491231002X paid") == "borrower 110105********002X paid"
    assert mask_text("account 6217991234567890124") == "account ***************0124"
    assert mask_text("账号6217991234567890123已变更") == "账号***************0123已变更"
    assert mask_text("身份证11010519491231002x的") == "身份证110105********002X的"
    assert mask_text("存折 12345678901234567890123") == "存折 " + "*" * 19 + "0123"
    assert mask_text("2026-03-10 amount 50000.00") == "2026-03-10 amount 50000.00"
    with caplog.at_level(logging.INFO, logger=app.logger.name):
        app.logger.info("registered %s with %s", "11010519491231002X", "6217991234567890124")
    assert "11010519491231002X" not in caplog.text and "6217991234567890124" not in caplog.text


def test_a_logged_traceback_is_masked_too():
    from loanflow.core.logging import MaskingFormatter

    logger = logging.getLogger("loanflow.test.traceback")
    record = None
    try:
        raise ValueError("bad card 6217991234567890124 for 11010519491231002X")
    except ValueError:
        record = logger.makeRecord(logger.name, logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    line = MaskingFormatter().format(record)
    assert "Traceback" in line and "0124" in line
    assert "6217991234567890124" not in line and "11010519491231002X" not in line


def test_the_business_date_comes_from_the_configuration(app):
    app.config["LOANFLOW_TODAY"] = "2026-09-30"
    try:
        assert clock.today() == date(2026, 9, 30)
        assert clock.now().date() == date(2026, 9, 30)
        assert clock.now().tzinfo is not None
    finally:
        app.config["LOANFLOW_TODAY"] = "2026-03-10"


def test_entering_a_calendar_year_firms_up_a_loan_deadline_that_ran_into_it(app, demo, users):
    from loanflow.loans.models import Loan
    from loanflow.loans.testing.factories import deposit, fresh_households, open_loan

    app.config["LOANFLOW_TODAY"] = "2026-12-28"
    try:
        deposit("341503", "1000000.00")
        loan = open_loan(users["clerk"], fresh_households(users["clerk"].region_code)[0])
        assert loan.stage_due_provisional is True  # 2027 is not known to the calendar library
        # a later policy gives the stage more days: the due date stays the one fixed when the stage began
        from loanflow.core.domain.policy import default_policy_document
        from loanflow.policy.services import publish_policy

        longer = default_policy_document()
        longer["deadlines"]["loan"]["applied"] = 10
        publish_policy(None, longer, "more days to rate")
        path = app.instance_path + "/cal2027.json"
        with open(path, "w", encoding="utf-8") as f:
            f.write('{"year": 2027, "holidays": ["2027-01-01"], "workdays": []}')
        result = app.test_cli_runner().invoke(args=["loanflow", "enter-calendar-year", path])
        assert result.exit_code == 0, result.output
        db.session.expire_all()
        firm = db.session.get(Loan, loan.id)
        assert firm.stage_due_provisional is False
        # 5 working days after Monday 28 December, with 1 January a holiday: 29, 30, 31 Dec, 4, 5 Jan
        assert firm.stage_due_on == date(2027, 1, 5)
    finally:
        app.config["LOANFLOW_TODAY"] = "2026-03-10"
