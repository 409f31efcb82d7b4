"""The pages speak Chinese by default and English on request; forms need their CSRF token."""

from __future__ import annotations

import re

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from loanflow.web.testing.fixtures import PageClient

CATALOG = "loanflow/translations/zh/LC_MESSAGES/messages"


def test_the_login_page_speaks_chinese_by_default(browser):
    html = browser.get("/login").get_data(as_text=True)
    assert "登录" in html and 'lang="zh-CN"' in html
    assert "Log in" not in html


def test_the_login_page_speaks_english_when_asked(browser):
    html = browser.get("/login?lang=en").get_data(as_text=True)
    assert "Log in" in html and 'lang="en"' in html
    assert "登录" not in html


def test_the_language_switch_is_remembered_in_a_cookie(browser):
    r = browser.get("/lang/en", headers={"Referer": "http://localhost/login"})
    assert r.status_code == 302 and r.headers["Location"].endswith("/login")
    assert "Log in" in browser.get("/login").get_data(as_text=True)
    browser.get("/lang/zh")
    assert "登录" in browser.get("/login").get_data(as_text=True)


def test_a_wrong_password_is_refused_in_chinese(browser, demo):
    r = browser.post("/login", data={"username": "clerk", "password": "nope"})
    assert r.status_code == 401
    assert "用户名或密码错误" in r.get_data(as_text=True)


def test_a_page_behind_login_sends_the_visitor_to_the_login_page(browser):
    r = browser.get("/households")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_a_form_without_its_csrf_token_is_refused_readably(app, demo, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    c = PageClient(app, app.response_class, use_cookies=True)
    r = c.post("/login", data={"username": "clerk", "password": "demo-password"})
    assert r.status_code == 400
    assert "表单已过期" in r.get_data(as_text=True)
    token = re.search(
        r'name="csrf_token" type="hidden" value="([^"]+)"', c.get("/login").get_data(as_text=True)
    )
    r = c.post(
        "/login", data={"username": "clerk", "password": "demo-password", "csrf_token": token.group(1)}
    )
    assert r.status_code == 302


def test_a_logged_in_form_without_its_token_changes_nothing(app, page_as, users, monkeypatch):
    c = page_as("clerk")
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    r = c.post("/households/1/account-changes", data={"account_type": "passbook", "bank_account": "12345678"})
    assert r.status_code == 400
    from loanflow.households.models import AccountChange

    assert AccountChange.query.count() == 0


def test_every_page_word_has_its_chinese_translation_compiled():
    with open(CATALOG + ".po", "rb") as f:
        po = read_po(f, locale="zh")
    with open(CATALOG + ".mo", "rb") as f:
        mo = read_mo(f)
    untranslated = [m.id for m in po if m.id and not m.string]
    assert untranslated == []
    stale = [m.id for m in po if m.id and (mo.get(m.id) is None or mo.get(m.id).string != m.string)]
    assert stale == [], "run pybabel compile -d loanflow/translations"


def test_every_word_the_pages_use_is_in_the_chinese_catalog():
    """Extract the pages' words as pybabel would (babel.cfg) and find each translated in the catalog."""
    import os

    from babel.messages.extract import extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    with open(os.path.join(root, "babel.cfg"), encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f)
    keywords = {"_": None, "gettext": None, "lazy_gettext": None, "ngettext": (1, 2)}
    used = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        root, method_map, options_map, keywords=keywords
    ):
        used.update([message] if isinstance(message, str) else [m for m in message if m])
    with open(CATALOG + ".po", "rb") as f:
        po = read_po(f, locale="zh")
    missing = sorted(m for m in used if not (po.get(m) and po.get(m).string))
    assert len(used) > 100 and missing == []
