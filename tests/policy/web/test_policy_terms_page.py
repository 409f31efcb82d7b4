"""The policy terms page: a clerk reads the limits, rates, purposes and industries in force; nothing to edit."""

from __future__ import annotations


def test_a_clerk_reads_the_policy_terms_on_a_page_of_their_own(page_as):
    c = page_as("clerk")
    home = c.get("/").get_data(as_text=True)
    assert "/policy/terms" in home  # in the clerk's menu
    r = c.get("/policy/terms")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "政策条款" in html
    for section in ("信用等级与授信额度", "贷款利率", "奖补产业与单价", "展期"):
        assert section in html
    content = html[html.index("<h1>") : html.index("</main>")]
    assert "<input" not in content and "<select" not in content  # read only
    assert "supervision" not in html  # no untranslated section
    for code in ("5star", "compensation_claimed", ">pig<", "Pigs"):  # labels, never codes
        assert code not in content, code
    assert "★★★★★" in content and "生猪" in content


def test_the_admin_policy_pages_stay_the_admins(page_as):
    assert page_as("clerk").get("/policy").status_code == 403
    assert page_as("admin").get("/policy/terms").status_code == 200
