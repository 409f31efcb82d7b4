"""Where an ID number is masked, nothing gives it back (DOMAIN.md, "People and roles"): no birth date
(the ID number holds it), the phone masked; supervisors get no form full of whole ID numbers; the CSV
export never writes a cell a spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import select

from loanflow.extensions import db
from loanflow.households.models import Household, Member
from loanflow.households.register_files import iter_rows, write_csv

VILLAGE_A = "341503001001"  # the demo clerk's village


def _household_with_phone() -> Household:
    return db.session.scalars(
        select(Household).join(Member).where(Household.village_code == VILLAGE_A, Member.phone != "")
    ).first()


def test_a_supervisor_sees_a_masked_id_without_birth_date_and_a_masked_phone(client, login):
    h = _household_with_phone()
    body = client.get(f"/api/v1/households/{h.id}", headers=login("supervisor")).json
    head = next(m for m in body["members"] if m["phone"])
    stored = next(m for m in h.members if m.id == head["id"])
    assert re.fullmatch(r"\d{6}\*{8}\d{3}[\dX]", head["id_number"])
    assert head["birth_date"] is None
    assert head["phone"] == stored.phone[:3] + "****" + stored.phone[-4:]


def test_a_clerk_of_the_region_sees_the_member_whole(client, login):
    h = _household_with_phone()
    body = client.get(f"/api/v1/households/{h.id}", headers=login("clerk")).json
    head = next(m for m in body["members"] if m["phone"])
    stored = next(m for m in h.members if m.id == head["id"])
    assert (head["id_number"], head["birth_date"], head["phone"]) == (
        stored.id_number,
        stored.birth_date.isoformat(),
        stored.phone,
    )


@pytest.mark.parametrize("username", ["clerk", "supervisor"])
def test_every_list_masks_ids_and_so_shows_no_birth_date_and_masks_phones(client, login, username):
    page = client.get("/api/v1/households?size=50", headers=login(username)).json
    members = [m for h in page["items"] for m in h["members"]]
    assert members and all(m["birth_date"] is None for m in members)
    assert all("*" in m["phone"] for m in members if m["phone"])
    assert all("*" in m["id_number"] for m in members if m["id_number"])


def test_the_supervisors_household_page_shows_no_birth_date_nor_whole_phone(page_as):
    h = _household_with_phone()
    html = page_as("supervisor").get(f"/households/{h.id}").get_data(as_text=True)
    for m in h.members:
        if m.birth_date:
            assert m.birth_date.isoformat() not in html
        if m.phone:
            assert m.phone not in html and m.phone[-4:] in html
        if m.id_number:
            assert m.id_number not in html


@pytest.mark.parametrize(
    "path",
    [
        "/households/{id}/edit",
        "/households/{id}/loans/new",
        "/households/{id}/subsidies/new",
        "/households/{id}/account-changes",
    ],
)
def test_a_supervisor_gets_no_form_with_whole_id_numbers(page_as, path):
    h = _household_with_phone()
    r = page_as("supervisor").get(path.format(id=h.id))
    assert r.status_code == 403
    assert all(m.id_number not in r.get_data(as_text=True) for m in h.members if m.id_number)


def test_the_supervisors_csv_export_masks_phones(client, login):
    r = client.get("/api/v1/households/export?format=csv", headers=login("supervisor"))
    rows = list(csv.reader(io.StringIO(r.data.decode("utf-8-sig"))))
    phones = [row[rows[0].index("联系电话")] for row in rows[1:] if row[rows[0].index("联系电话")]]
    assert phones and all(re.fullmatch(r"\d{3}\*{4}\d{4}", p) for p in phones)


NAMES = ['=HYPERLINK("http://evil.example","点我")', "+1+1", "@SUM(A1)", "-2+3", "\t=1"]


def test_the_csv_export_writes_no_cell_a_spreadsheet_would_run(client, login):
    h = _household_with_phone()
    for member, name in zip(h.members, NAMES, strict=False):
        member.name = name
    db.session.commit()
    r = client.get("/api/v1/households/export?format=csv", headers=login("clerk"))
    cells = [cell for row in csv.reader(io.StringIO(r.data.decode("utf-8-sig"))) for cell in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert all("'" + n in cells for n in NAMES[: len(h.members)])


def test_a_neutralised_csv_imports_as_the_names_it_was_written_from():
    out = io.BytesIO()
    write_csv([["x", *NAMES]], out)
    rows = [list(row) for _n, row in iter_rows(out.getvalue(), "csv")]
    assert rows[1] == ["x", *NAMES]
