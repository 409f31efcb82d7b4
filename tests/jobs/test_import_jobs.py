"""A big register import runs as a background job: 202 with the job, its progress and result, a row cap,
one import at a time per county (huey runs in immediate mode in the tests)."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from loanflow.core import clock
from loanflow.extensions import db
from loanflow.households.models import Household
from loanflow.households.testing.register_sheets import csv_bytes, member_rows, xlsx_bytes
from loanflow.jobs.models import Job
from loanflow.loans.testing.factories import user_named

VILLAGE_A = "341503001001"


@pytest.fixture(autouse=True)
def small_limits(app, monkeypatch):
    monkeypatch.setitem(app.config, "HOUSEHOLD_IMPORT_SYNC_ROWS", 5)


def upload(client, headers, data: bytes, name: str = "花名册.xlsx", **form):
    body = {"file": (io.BytesIO(data), name), **{k: str(v).lower() for k, v in form.items()}}
    return client.post(
        "/api/v1/households/import", data=body, headers=headers, content_type="multipart/form-data"
    )


def households() -> int:
    return db.session.scalar(select(func.count(Household.id)))


def test_a_big_import_answers_202_with_the_job_whose_result_is_the_report(client, login):
    before = households()
    rows = member_rows(6, VILLAGE_A, start=900)
    r = upload(client, login("clerk"), xlsx_bytes(rows), dry_run=False)
    assert r.status_code == 202, r.json
    assert r.headers["Location"] == f"/api/v1/jobs/{r.json['id']}"
    job = client.get(r.headers["Location"], headers=login("clerk"))
    assert job.status_code == 200
    assert job.json["state"] == "done" and job.json["kind"] == "household_import"
    assert job.json["done"] == job.json["total"] == len(rows) + 1  # every row read, the header too
    assert job.json["result"]["households"] == 6 and job.json["result"]["written"] is True
    assert households() == before + 6
    assert db.session.get(Job, r.json["id"]).payload is None  # the upload is not kept


def test_a_small_import_still_answers_at_once(client, login):
    r = upload(
        client, login("clerk"), csv_bytes(member_rows(2, VILLAGE_A, start=900)), name="r.csv", dry_run=False
    )
    assert r.status_code == 201 and r.json["households"] == 2


def test_a_refused_big_import_fails_the_job_with_every_bad_row_and_writes_nothing(client, login):
    before = households()
    rows = member_rows(6, VILLAGE_A, start=900)
    rows[3]["身份证号码"] = "123"
    r = upload(client, login("clerk"), xlsx_bytes(rows), dry_run=False)
    job = client.get(r.headers["Location"], headers=login("clerk")).json
    assert job["state"] == "failed" and job["result"] is None
    assert [(e["row"], e["column"]) for e in job["errors"]["report"]["errors"]] == [(5, "身份证号码")]
    assert households() == before


def test_a_file_beyond_the_row_cap_is_refused_naming_the_cap(app, client, login, monkeypatch):
    monkeypatch.setitem(app.config, "HOUSEHOLD_IMPORT_MAX_ROWS", 8)
    r = upload(client, login("clerk"), xlsx_bytes(member_rows(6, VILLAGE_A, start=900)))
    job = client.get(r.headers["Location"], headers=login("clerk")).json
    assert job["state"] == "failed"
    assert "8" in job["errors"]["errors"]["file"][0]


def test_one_import_at_a_time_per_county(client, login):
    clerk = user_named("clerk")
    running = Job(
        kind="household_import",
        lock_key=VILLAGE_A[:6],
        region_code=VILLAGE_A,
        state="running",
        params={},
        payload_name="other.xlsx",
        created_by_id=clerk.id,
        created_at=clock.wall_now(),
        started_at=clock.wall_now(),
    )
    db.session.add(running)
    db.session.commit()
    r = upload(client, login("clerk"), xlsx_bytes(member_rows(6, VILLAGE_A, start=900)), dry_run=False)
    assert r.status_code == 409 and "正在进行" in r.json["detail"]
    assert db.session.scalar(select(func.count(Job.id))) == 1


def test_a_job_is_seen_by_who_sees_its_region_and_no_one_else(client, login):
    r = upload(client, login("clerk"), xlsx_bytes(member_rows(6, VILLAGE_A, start=900)))
    assert client.get(r.headers["Location"], headers=login("supervisor")).status_code == 200  # the county
    assert client.get(r.headers["Location"], headers=login("clerk2")).status_code == 404  # another village
    assert client.get(r.headers["Location"], headers=login("admin")).status_code == 404  # no register data
    assert client.get("/api/v1/jobs/999999", headers=login("clerk")).status_code == 404


def test_a_retried_big_import_with_its_key_answers_the_same_job(client, login):
    headers = {**login("clerk"), "Idempotency-Key": "import-big-1"}
    data = xlsx_bytes(member_rows(6, VILLAGE_A, start=900))
    first = upload(client, headers, data, dry_run=False)
    again = upload(client, headers, data, dry_run=False)
    assert first.status_code == again.status_code == 202
    assert again.json["id"] == first.json["id"] and again.headers["Location"] == first.headers["Location"]
    assert db.session.scalar(select(func.count(Job.id))) == 1


def test_a_job_never_handed_to_the_worker_stops_blocking_its_county_after_an_hour(client, login):
    """The process died between the job's commit and its enqueue: the job stays ``queued``, nobody will
    run it, and without this every later import of the county would be refused."""
    from datetime import timedelta

    stuck = Job(
        kind="household_import",
        lock_key=VILLAGE_A[:6],
        region_code=VILLAGE_A,
        state="queued",
        params={},
        payload_name="lost.xlsx",
        created_by_id=user_named("clerk").id,
        created_at=clock.wall_now() - timedelta(hours=2),
    )
    db.session.add(stuck)
    db.session.commit()
    r = upload(client, login("clerk"), xlsx_bytes(member_rows(6, VILLAGE_A, start=900)), dry_run=False)
    assert r.status_code == 202
    db.session.refresh(stuck)
    assert stuck.state == "failed"
