"""The task queue: SQLite in the instance folder by default, Redis by configuration; the periodic jobs."""

from __future__ import annotations

from datetime import datetime

import pytest
from huey.storage import MemoryStorage, RedisStorage, SqliteStorage

from loanflow import periodic
from loanflow.core import tasks
from loanflow.documents import services as documents


@pytest.fixture
def restored(app):
    yield app
    tasks.configure(app)


def test_the_queue_is_a_sqlite_file_in_the_instance_folder_by_default_and_redis_when_configured(
    restored, monkeypatch
):
    app = restored
    monkeypatch.setitem(app.config, "LOANFLOW_QUEUE_IMMEDIATE", False)
    monkeypatch.setitem(app.config, "LOANFLOW_QUEUE_FILE", None)
    tasks.configure(app)
    assert isinstance(tasks.huey.storage, SqliteStorage)
    assert tasks.huey.storage.filename.startswith(app.instance_path)
    monkeypatch.setitem(app.config, "LOANFLOW_QUEUE_URL", "redis://127.0.0.1:6379/7")
    tasks.configure(app)
    assert isinstance(tasks.huey.storage, RedisStorage)
    monkeypatch.setitem(app.config, "LOANFLOW_QUEUE_IMMEDIATE", True)
    tasks.configure(app)
    assert isinstance(tasks.huey.storage, MemoryStorage)


def due(hour: int, minute: int) -> set[str]:
    return {t.name for t in tasks.huey.read_periodic(datetime(2026, 3, 10, hour, minute))}


def test_the_sweep_and_the_audit_checkpoint_run_daily_after_midnight_in_shanghai_owed_documents_often():
    sweep, owed = "daily_sweep", "render_owed_documents"  # the task names huey gives them
    assert due(17, 5) == {sweep}  # 01:05 in Shanghai
    assert due(17, 10) == {owed} and due(3, 0) == {owed}
    assert due(17, 7) == set()
    assert due(17, 15) == {"audit_checkpoint"}
    assert due(17, 20) == {"forget_old_answers", owed}


def test_the_owed_documents_job_renders_what_is_owed(app, monkeypatch):
    calls = []
    monkeypatch.setattr(documents, "render_owed", lambda *a: calls.append(a) or 0)
    periodic.render_owed_documents()  # immediate mode: runs here
    assert calls == [()]


def test_the_audit_checkpoint_job_signs_the_chain_heads_into_the_log(app, monkeypatch, tmp_path):
    from loanflow.audit import checkpoints
    from loanflow.audit import services as audit
    from loanflow.extensions import db

    monkeypatch.setitem(app.config, "AUDIT_CHECKPOINT_DIR", str(tmp_path))
    audit.record(None, "test.event", "test", 1, chain="341503")
    db.session.commit()
    periodic.audit_checkpoint()
    [made] = checkpoints.read_checkpoints().checkpoints
    assert made.chain == "341503" and made.seq >= 1
