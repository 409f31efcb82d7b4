"""The policy pages: the version in force as Chinese tables, a new version by form or file with every
error beside its field, a preview of what changes, publishing, and two versions compared."""

from __future__ import annotations

import io
import re
from datetime import UTC

import pytest
import yaml
from sqlalchemy import func, select

from loanflow.core.domain.policy import default_policy_document
from loanflow.extensions import db
from loanflow.policy.document import as_text, leaves
from loanflow.policy.models import PolicyVersion
from loanflow.web.testing.fixtures import field_errors

pytestmark = pytest.mark.bare_demo
RATE = "loan.rates[4].rate"


def whole_form(**changes: str) -> dict:
    """The form as the page draws it for version 1, with some fields changed."""
    data = {p: as_text(v) for p, v in leaves(default_policy_document())}
    return {**data, "note": "", "effective_on": "", **changes}


def versions() -> int:
    return db.session.scalar(select(func.count(PolicyVersion.version)))


def changed_rows(html: str) -> list[str]:
    return re.findall(r'<tr class="changed" data-path="([^"]+)"', html)


def test_the_policy_in_force_reads_as_chinese_tables(page_as):
    html = page_as("admin").get("/policy").get_data(as_text=True)
    assert "政策第 1 版（现行）" in html
    for words in (
        "单户贷款上限（元）",
        "50000.00",
        "贷款利率（按期限与生效日期）",
        "评级评分表",
        "奖补产业与单价",
        "生猪",
    ):
        assert words in html, words


def test_a_changed_rate_is_previewed_published_and_compared_as_the_only_change(page_as):
    admin = page_as("admin")
    form = whole_form(**{RATE: "0.0290"})
    r = admin.post("/policy/new", data={**form, "step": "preview"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and versions() == 1
    preview = html.split('id="preview"')[1].split("</section>")[0]
    assert preview.count('class="changed"') == 1 and "0.0300" in preview and "0.0290" in preview
    r = admin.post("/policy/new", data={**form, "note": "LPR 下调", "step": "publish"})
    assert r.status_code == 302 and r.headers["Location"].endswith("/policy/compare?a=1&b=2")
    html = admin.get("/policy/compare?a=1&b=2").get_data(as_text=True)
    assert changed_rows(html) == [RATE]
    assert "第 1 版与第 2 版对比" in html and "LPR 下调" in html
    listed = admin.get("/policy/versions").get_data(as_text=True)
    assert "周管理" in listed and "LPR 下调" in listed


def test_every_error_is_named_beside_its_field_and_nothing_is_published(page_as):
    form = whole_form(
        **{"loan.max_amount": "五万", "loan.min_age": "eighteen", RATE: "3%"}, effective_on="2026-01-01"
    )
    r = page_as("admin").post("/policy/new", data={**form, "step": "publish"})
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and versions() == 1
    assert field_errors(html, "loan.max_amount") and field_errors(html, "loan.min_age")
    assert field_errors(html, RATE) and field_errors(html, "effective_on")
    assert 'name="loan.max_amount" value="五万"' in html  # what was typed comes back


def test_an_uploaded_yaml_file_with_an_added_rate_band_is_previewed_then_published(page_as):
    admin = page_as("admin")
    document = default_policy_document()
    document["loan"]["rates"] += [
        {"effective_from": "2026-03-01", "max_term_months": 12, "rate": "0.0280"},
        {"effective_from": "2026-03-01", "max_term_months": 36, "rate": "0.0330"},
    ]
    upload = (io.BytesIO(yaml.safe_dump(document, allow_unicode=True).encode()), "policy.yaml")
    r = admin.post(
        "/policy/new",
        data={"document_file": upload, "step": "preview", "note": "", "effective_on": ""},
        content_type="multipart/form-data",
    )
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and html.split('id="preview"')[1].count('class="changed"') == 6
    shape = re.search(r'name="shape" value="([^"]*)"', html).group(1)
    form = {p: as_text(v) for p, v in leaves(document)}
    r = admin.post(
        "/policy/new",
        data={
            **form,
            "shape": shape.replace("&#34;", '"'),
            "step": "publish",
            "note": "",
            "effective_on": "",
        },
    )
    assert r.status_code == 302
    assert len(db.session.get(PolicyVersion, 2).document["loan"]["rates"]) == 8


def test_a_file_that_is_not_a_policy_is_refused_beside_the_upload(page_as):
    upload = (io.BytesIO(b"- just\n- a list\n"), "policy.yaml")
    r = page_as("admin").post(
        "/policy/new", data={"document_file": upload, "step": "preview"}, content_type="multipart/form-data"
    )
    assert r.status_code == 422 and field_errors(r.get_data(as_text=True), "document_file")


def test_publishing_a_version_that_changes_nothing_only_previews_it(page_as):
    r = page_as("admin").post("/policy/new", data={**whole_form(), "step": "publish"})
    assert r.status_code == 200 and "没有变动" in r.get_data(as_text=True) and versions() == 1


def test_a_version_stored_before_a_stage_existed_is_edited_with_that_stage_at_its_default(page_as):
    """A county that published its policy before compensation claims had a deadline can still publish:
    the form offers the new stage at its default (shown as a change) instead of an error with no field."""
    from datetime import datetime

    older = default_policy_document()
    del older["deadlines"]["loan"]["compensation_claimed"]
    db.session.add(
        PolicyVersion(
            version=2,
            document=older,
            published_at=datetime(2026, 1, 2, tzinfo=UTC),
            note="before compensation claims",
        )
    )
    db.session.flush()
    admin = page_as("admin")
    html = admin.get("/policy/new").get_data(as_text=True)
    assert 'name="deadlines.loan.compensation_claimed"' in html
    form = {**whole_form(**{RATE: "0.0290"}), "note": "LPR 下调", "step": "publish"}
    r = admin.post("/policy/new", data=form)
    assert r.status_code == 302 and versions() == 3
    newest = db.session.get(PolicyVersion, 3).document
    assert newest["deadlines"]["loan"]["compensation_claimed"] == 10
