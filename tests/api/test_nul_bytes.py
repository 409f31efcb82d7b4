"""A NUL character (U+0000) in what a user sends is refused naming the field, never a server error."""

from __future__ import annotations

from loanflow.audit.models import AuditEvent
from loanflow.core.domain.policy import default_policy_document
from loanflow.extensions import db
from loanflow.policy.models import PolicyVersion
from loanflow.subsidies.models import SubsidyCase

NUL_REFUSED = "must not contain a NUL character (U+0000)"


def test_a_nul_in_a_search_a_reason_an_address_or_a_policy_note_is_named_and_nothing_is_written(
    client, login
):
    clerk, en = login("clerk"), {"Accept-Language": "en"}
    events = db.session.query(AuditEvent).count()
    r = client.get("/api/v1/households?q=%E5%BC%A0%00", headers={**clerk, **en})
    assert r.status_code == 422 and r.json["errors"] == {"q": [NUL_REFUSED]}
    applied = db.session.query(SubsidyCase).filter_by(state="applied", village_code="341503001001").first()
    r = client.post(
        f"/api/v1/subsidies/{applied.id}/withdraw", json={"reason": "农户\x00要求"}, headers=clerk
    )
    assert r.status_code == 422 and r.json["errors"] == {"reason": ["不能包含空字符（U+0000）"]}
    r = client.patch("/api/v1/households/1", json={"address": "3组\x00"}, headers={**clerk, **en})
    assert r.status_code == 422 and r.json["errors"] == {"address": [NUL_REFUSED]}
    document = default_policy_document()
    document["loan"]["purposes"][0] = "x\x00"
    r = client.post(
        "/api/v1/policy", json={"document": document, "note": "a\x00"}, headers={**login("admin"), **en}
    )
    assert r.status_code == 422
    assert r.json["errors"] == {"document.loan.purposes[0]": [NUL_REFUSED], "note": [NUL_REFUSED]}
    assert db.session.get(SubsidyCase, applied.id).state == "applied"
    assert db.session.query(PolicyVersion).count() == 1 and db.session.query(AuditEvent).count() == events
