"""The admin's pages: the start page, the menu without cases, users, regions and branches, the fund."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from loanflow.accounts.models import User
from loanflow.audit.models import AuditEvent
from loanflow.extensions import db
from loanflow.loans.models import FundEntry
from loanflow.web.testing.fixtures import field_errors

pytestmark = pytest.mark.bare_demo


def test_the_admin_starts_on_the_admin_home_and_the_menu_has_no_cases_or_households(page_as):
    admin = page_as("admin")
    r = admin.get("/")
    assert r.status_code == 302 and r.headers["Location"].endswith("/admin")
    html = admin.get("/admin").get_data(as_text=True)
    assert "系统管理" in html and "从未登录的用户" in html
    nav = html.split("<nav>")[1].split("</nav>")[0]
    assert "用户" in nav and "政策参数" in nav and "风险补偿金" in nav
    for word in ("农户", "贷款", "奖补", "公示"):
        assert word not in nav, word
    assert admin.get("/households/new").status_code == 403


def test_a_clerk_keeps_the_case_menu_and_gets_no_admin_page(page_as):
    clerk = page_as("clerk")
    nav = clerk.get("/", follow_redirects=True).get_data(as_text=True).split("<nav>")[1].split("</nav>")[0]
    assert "农户" in nav and "贷款" in nav and "用户" not in nav
    for path in (
        "/admin",
        "/users",
        "/admin/regions",
        "/admin/branches",
        "/policy",
        "/calendar",
        "/users/new",
    ):
        assert clerk.get(path).status_code == 403, path


def test_the_home_lists_users_who_never_logged_in_and_a_branch_without_officers(page_as, users):
    admin = page_as("admin")
    one = (
        admin.get("/admin").get_data(as_text=True).split('id="branches-with-one-officer"')[1].split("</p>")[0]
    )
    assert "韩摆渡支行" in one and "苏埠支行" not in one  # officer3 alone: four eyes leave its credits stuck
    admin.post(f"/users/{users['officer3'].id}/active", data={"active": "no"})
    html = admin.get("/admin").get_data(as_text=True)
    section = html.split('id="branches-without-officer"')[1].split("</section>")[0]
    assert "韩摆渡支行" in section
    never = html.split('id="never-logged-in"')[1].split("</section>")[0]
    assert "supervisor" in never and ">admin<" not in never


def test_creating_a_user_by_form_shows_errors_beside_their_fields_then_creates(page_as):
    admin = page_as("admin")
    data = {
        "username": "clerk9",
        "full_name": "",
        "role": "clerk",
        "region_code": "341503001002",
        "branch_id": "",
        "password": "1234567890",
    }
    r = admin.post("/users/new", data=data)
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert field_errors(html, "full_name") == ["请填写姓名"]
    assert "最常见的密码" in field_errors(html, "password")[0]
    assert db.session.scalar(select(User).where(User.username == "clerk9")) is None
    r = admin.post("/users/new", data={**data, "full_name": "钱经办", "password": "Village-clerk-9"})
    assert r.status_code == 302
    assert db.session.scalar(select(User).where(User.username == "clerk9")).must_change_password


def test_a_user_form_posted_without_its_fields_is_422_and_creates_nobody(page_as):
    before = db.session.scalar(select(func.count()).select_from(User))
    r = page_as("admin").post("/users/new", data={})
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert field_errors(html, "username") == ["请填写用户名"] and field_errors(html, "full_name")
    assert db.session.scalar(select(func.count()).select_from(User)) == before


def test_activating_without_saying_yes_or_no_changes_nobody(page_as, users):
    admin = page_as("admin")
    r = admin.post(f"/users/{users['officer3'].id}/active", data={})
    assert r.status_code == 422 and "yes" in r.get_data(as_text=True)
    db.session.expire_all()
    assert users["officer3"].active
    assert page_as("clerk").post(f"/users/{users['officer3'].id}/active", data={}).status_code == 403


def test_a_reset_password_leads_the_user_to_the_change_page_until_changed(page_as, browser, users):
    admin = page_as("admin")
    admin.post(f"/users/{users['clerk'].id}/password", data={"password": "Reset-by-admin-1"})
    r = browser.post("/login", data={"username": "clerk", "password": "Reset-by-admin-1"})
    assert r.status_code == 302 and r.headers["Location"].endswith("/password")
    assert browser.get("/households").headers["Location"].endswith("/password")
    r = browser.post(
        "/password",
        data={
            "current_password": "Reset-by-admin-1",
            "new_password": "clerk-2026-new",
            "confirm_password": "clerk-2026-new",
        },
    )
    assert r.status_code == 422 and "用户名" in field_errors(r.get_data(as_text=True), "new_password")[0]
    r = browser.post(
        "/password",
        data={
            "current_password": "Reset-by-admin-1",
            "new_password": "Spring-tea-2026",
            "confirm_password": "Spring-tea-2026",
        },
    )
    assert r.status_code == 302
    assert browser.get("/households").status_code == 200
    assert (
        db.session.scalars(select(AuditEvent).where(AuditEvent.action == "user.password_change")).one().actor
        == "clerk"
    )


def test_a_deactivated_users_page_session_ends_at_once(page_as, users):
    officer = page_as("officer3")
    assert officer.get("/loans").status_code == 200
    page_as("admin").post(f"/users/{users['officer3'].id}/active", data={"active": "no"})
    r = officer.get("/loans")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_the_region_tree_marks_a_township_without_branch_and_a_reused_code_is_refused(page_as):
    admin = page_as("admin")
    assert (
        admin.post("/admin/regions", data={"code": "341503012", "name": "新设镇", "rename": ""}).status_code
        == 302
    )
    html = admin.get("/admin/regions").get_data(as_text=True)
    assert 'class="node township problem"' in html and "新设镇" in html
    r = admin.post("/admin/regions", data={"code": "341503012", "name": "再设镇", "rename": ""})
    assert r.status_code == 409


def test_the_fund_page_shows_the_headroom_and_a_deposit_needs_its_reference(page_as):
    admin = page_as("admin")
    r = admin.post("/fund/deposits", data={"amount": "200,000", "date": "2026-03-09", "reference": ""})
    assert r.status_code == 422 and field_errors(r.get_data(as_text=True), "reference")
    assert db.session.scalars(select(FundEntry)).all() == []
    r = admin.post(
        "/fund/deposits", data={"amount": "200,000", "date": "2026-03-09", "reference": "裕财〔2026〕12号"}
    )
    assert r.status_code == 302
    html = admin.get("/fund").get_data(as_text=True)
    assert "裕财〔2026〕12号" in html and 'id="fund-headroom">2,000,000.00<' in html


@pytest.mark.parametrize("role", ["clerk", "officer", "supervisor"])
def test_only_the_admin_may_post_a_deposit_whatever_the_form_holds(page_as, role):
    for form in ({}, {"amount": "200,000", "date": "2026-03-09", "reference": "裕财〔2026〕12号"}):
        assert page_as(role).post("/fund/deposits", data=form).status_code == 403
    assert db.session.scalars(select(FundEntry)).all() == []


ADMIN_PAGES = (
    "/admin",
    "/users",
    "/users/new",
    "/admin/regions",
    "/admin/branches",
    "/policy",
    "/policy/new",
    "/policy/versions",
    "/policy/compare?a=1&b=1",
    "/calendar",
    "/calendar/2027",
    "/fund",
    "/password",
)


@pytest.mark.parametrize("language", ["zh", "en"])
def test_every_admin_page_opens_in_both_languages(page_as, language):
    admin = page_as("admin")
    admin.get(f"/lang/{language}")
    for path in ADMIN_PAGES:
        r = admin.get(path)
        assert r.status_code == 200, path
        assert ('<html lang="en"' in r.get_data(as_text=True)) == (language == "en"), path


def test_a_deadline_in_a_year_not_yet_entered_is_shown_until_the_year_is_entered(app, page_as, users):
    from loanflow.loans.testing.factories import drive, fill_fund, fresh_households, open_loan

    app.config["LOANFLOW_TODAY"] = "2026-12-24"  # the credited stage's 7 working days reach into 2027
    fill_fund(users)
    drive(
        open_loan(users["clerk2"], fresh_households(users["clerk2"].region_code)[0]),
        "credited",
        officer=users["officer3"],
    )
    admin = page_as("admin")
    years = (
        admin.get("/admin").get_data(as_text=True).split('id="provisional-years"')[1].split("</section>")[0]
    )
    assert "2027 年：1 件在办案件的时限为暂定" in years
    admin.post("/calendar/2027", data={"holidays": "2027-01-01\n2027-01-02\n2027-01-03", "workdays": ""})
    years = (
        admin.get("/admin").get_data(as_text=True).split('id="provisional-years"')[1].split("</section>")[0]
    )
    assert "2027" not in years and "没有时限依赖尚未录入的年份" in years


def test_the_home_shows_when_the_audit_trail_was_last_checkpointed(app, page_as, tmp_path):
    """The card once looked for audit events no code records, so it said "none yet" while the worker
    checkpointed daily; it reads the signed checkpoint log itself."""
    from loanflow.audit.checkpoints import write_checkpoint

    app.config["AUDIT_CHECKPOINT_DIR"] = str(tmp_path)
    app.config["AUDIT_CHECKPOINT_KEY"] = "a key the database never sees"
    admin = page_as("admin")
    card = admin.get("/admin").get_data(as_text=True).split('id="audit-check"')[1].split("</section>")[0]
    assert "尚无检查点" in card
    write_checkpoint()
    card = admin.get("/admin").get_data(as_text=True).split('id="audit-check"')[1].split("</section>")[0]
    assert "审计链最近一次签名检查点" in card and "尚无检查点" not in card


def _audit_card(client, query: str = "") -> str:
    return (
        client.get("/admin" + query)
        .get_data(as_text=True)
        .split('id="audit-check"')[1]
        .split("</section>")[0]
    )


def test_the_home_shows_the_newest_verification_with_the_persons_name(client, login, page_as):
    admin = page_as("admin")
    assert "审计留痕尚未核验过" in _audit_card(admin)
    page_as("supervisor").post("/supervision/audit")
    card = _audit_card(admin)
    assert "吴督查" in card and "审计留痕页面" in card and "审计链完整" in card and "尚未核验" not in card
    assert client.get("/api/v1/audit/verify", headers=login("admin")).status_code == 200
    card = _audit_card(admin)
    assert "周管理" in card and "API 接口" in card and "吴督查" not in card
    english = _audit_card(admin, "?lang=en")
    assert (
        "Last verification:" in english
        and "through the API" in english
        and "Every chain was whole" in english
    )


def test_the_commands_verification_is_shown_as_the_systems(app, page_as):
    assert app.test_cli_runner().invoke(args=["loanflow", "verify-audit"]).exit_code == 0
    card = _audit_card(page_as("admin"))
    assert "由系统通过命令行执行" in card


@pytest.mark.truncate  # edits the table through a connection of its own
def test_a_broken_chain_found_by_the_last_verification_is_a_problem_on_the_home(app, page_as):
    from tests.audit.test_audit import _tamper

    victim = db.session.scalars(
        select(AuditEvent).where(AuditEvent.chain == "341503").order_by(AuditEvent.seq).offset(2).limit(1)
    ).one()
    seq = victim.seq
    db.session.rollback()
    _tamper("UPDATE audit_event SET reason = 'nothing happened' WHERE id = :id", id=victim.id)
    admin = page_as("admin")
    html = admin.get("/admin").get_data(as_text=True)
    assert '<section class="card" id="audit-check">' in html  # nothing verified since: no alarm yet
    assert app.test_cli_runner().invoke(args=["loanflow", "verify-audit"]).exit_code == 1
    html = admin.get("/admin").get_data(as_text=True)
    assert '<section class="card bad" id="audit-check">' in html
    broken = html.split('id="broken-link"')[1].split("</p>")[0]
    assert f"链 341503，第 {seq} 个事件（内容被改动）" in broken
    assert 'class="bad-text" id="broken-link"' in html


def test_the_homes_statements_do_not_grow_with_the_verifications(app, page_as):
    from loanflow.audit import services as audit
    from loanflow.core import uow
    from loanflow.testing.querycount import statements

    admin = page_as("admin")
    audit.check(None, via="command")
    uow.commit()
    admin.get("/admin")  # what the first page of a process reads once (the policy, the calendar)
    with statements() as one:
        assert admin.get("/admin").status_code == 200
    for _ in range(5):
        audit.check(None, via="command")
    uow.commit()
    with statements() as six:
        assert admin.get("/admin").status_code == 200
    assert len(six) == len(one)
    assert len([s for s in six if "audit_event" in s]) == 1


def test_another_countys_check_is_neither_shown_nor_taken_for_this_countys(app, page_as):
    """A supervisor's check walks their county's chain and the global one: on another county's admin home
    it stands for nothing, so a broken result there is not covered by an ok check elsewhere."""
    from loanflow.audit import services as audit
    from loanflow.core import uow

    admin = page_as("admin")  # county 341503
    audit.check(None, ["341599", audit.GLOBAL_CHAIN], via="page")  # another county's supervisor, as a check
    uow.commit()
    assert "审计留痕尚未核验过" in _audit_card(admin)
    audit.check(None, via="command")  # every chain
    uow.commit()
    assert "由系统通过命令行执行" in _audit_card(admin)
    audit.check(None, ["341599", audit.GLOBAL_CHAIN], via="page")  # newer, but not this county's
    uow.commit()
    assert "由系统通过命令行执行" in _audit_card(admin)
    page_as("supervisor").post("/supervision/audit")  # this county's supervisor: shown
    assert "吴督查" in _audit_card(admin)
