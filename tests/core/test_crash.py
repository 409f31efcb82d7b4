"""A real crash: gunicorn on PostgreSQL is SIGKILLed mid-load and restarted, and nothing is lost or doubled.

Concurrent clients drive loans through their lifecycle (apply, rate, credit,
disburse, repay) and the admin deposits into the fund, every POST with an
Idempotency-Key. The whole server (master and workers) is killed with SIGKILL
while requests are in flight, then started again. Afterwards: the audit chain
verifies, every loan's state is its last state event's, every money row has its
event, every document owed by a committed step exists once the case's documents
are read, and replaying every interrupted request with its key completes it
exactly once (the replay of the replay is the stored answer). The chain heads
are checkpointed before the load and right after the kill; verification checks
the chains against both.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

pytestmark = pytest.mark.postgres_only

ROOT = Path(__file__).resolve().parents[2]
TODAY = "2026-03-10"
CLIENTS = 6
KILL_AFTER_ANSWERS = 10
DEADLINE_SECONDS = 55
SCORES = {
    "household_size": 10,
    "workers": 15,
    "assets": 15,
    "net_income": 20,
    "integrity": 25,
    "repayment_record": 10,
}


@dataclass
class Sent:
    user: str
    path: str
    body: dict
    key: str
    status: int | None = None  # None: no answer came (the server died)
    answer: dict | None = None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def scratch(_app):
    """A PostgreSQL database of its own with a small demo county (no cases), and an app on it."""
    import psycopg

    from config import TestConfig
    from loanflow import create_app
    from loanflow.core import tasks
    from loanflow.demo import build_demo
    from loanflow.extensions import db

    base = os.environ["TEST_DATABASE_URL"]
    root, name = base.rsplit("/", 1)
    scratch_name = f"{name}_crash{os.environ.get('PYTEST_XDIST_WORKER', '')}"
    plain = root.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(f"{plain}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {scratch_name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {scratch_name}")
    url = f"{root}/{scratch_name}"
    overrides = {
        "SQLALCHEMY_DATABASE_URI": url,
        "ISSUE_DOCUMENTS_ON_ACTIONS": True,
        "AUDIT_CHECKPOINT_DIR": tempfile.mkdtemp(prefix="loanflow-crash-checkpoints-"),  # this database's own
    }
    app = create_app(TestConfig, overrides)
    with app.app_context():
        db.create_all()
        build_demo(12, case_builders=())
        db.session.commit()
        db.session.remove()
    try:
        yield url, app
    finally:
        with app.app_context():
            db.engine.dispose()
        tasks.init_app(_app)  # the suite's app runs the queue again
        with psycopg.connect(f"{plain}/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {scratch_name} WITH (FORCE)")


class Server:
    """gunicorn (3 sync workers, the app loaded once) on a free loopback port, in a process group of its own."""

    def __init__(self, url: str, workdir: str) -> None:
        self.url, self.workdir = url, workdir
        self.proc: subprocess.Popen | None = None
        self.base = ""

    def start(self) -> None:
        port = _free_port()
        self.base = f"http://127.0.0.1:{port}"
        env = {
            **os.environ,
            "DATABASE_URL": self.url,
            "SECRET_KEY": "crash-test",
            "LOANFLOW_TODAY": TODAY,
            "LOANFLOW_QUEUE_FILE": os.path.join(self.workdir, "queue.db"),
            "PYTHONPATH": str(ROOT),
        }
        env.pop("TEST_DATABASE_URL", None)
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        log = open(os.path.join(self.workdir, "gunicorn.log"), "ab")  # noqa: SIM115 (closed with the process)
        self.proc = subprocess.Popen(
            [gunicorn, "--preload", "-w", "3", "-b", f"127.0.0.1:{port}", "wsgi:app"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        deadline = time.monotonic() + 25
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.base}/login", timeout=10).status_code == 200:
                    return
            except requests.RequestException:
                time.sleep(0.2)
        raise AssertionError("gunicorn did not start: " + self.log_tail())

    def kill(self) -> None:
        os.killpg(self.proc.pid, signal.SIGKILL)  # the master and every worker, mid-request
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=10)

    def log_tail(self) -> str:
        return Path(self.workdir, "gunicorn.log").read_text(errors="replace")[-3000:]


def test_a_sigkill_mid_load_loses_nothing_and_doubles_nothing(scratch):
    from loanflow.audit import checkpoints
    from loanflow.audit import services as audit
    from loanflow.audit.models import AuditEvent
    from loanflow.documents.models import IssuedDocument, OwedDocument
    from loanflow.extensions import db
    from loanflow.households.models import Household
    from loanflow.loans.models import FundEntry, Loan, Repayment

    started = time.monotonic()
    url, app = scratch
    with app.app_context():
        households = [
            (h.id, h.head.id_number)
            for h in db.session.scalars(
                select(Household).where(Household.village_code == "341503001001").order_by(Household.id)
            )
            if h.head is not None and h.head.id_number
        ][:CLIENTS]
    assert len(households) >= 4
    workdir = tempfile.mkdtemp(prefix="loanflow-crash-")
    server = Server(url, workdir)
    server.start()
    try:
        tokens = {
            u: requests.post(
                f"{server.base}/api/v1/tokens", json={"username": u, "password": "demo-password"}, timeout=10
            ).json()["token"]
            for u in ("clerk", "officer", "officer2", "admin")
        }

        def post(sent: Sent) -> requests.Response:
            return requests.post(
                server.base + sent.path,
                json=sent.body,
                headers={"Authorization": f"Bearer {tokens[sent.user]}", "Idempotency-Key": sent.key},
                timeout=30,
            )

        seed = Sent("admin", "/api/v1/fund/deposits", _deposit("seed"), "deposit-seed")
        assert post(seed).status_code == 201
        with app.app_context():
            deposits_before = db.session.scalar(select(func.count()).where(FundEntry.kind == "deposit"))
            checkpoints.write_checkpoint()  # the chain heads signed before the load
            db.session.remove()

        log: list[Sent] = []
        answered = threading.Semaphore(0)
        lock = threading.Lock()

        def send(sent: Sent) -> Sent | None:
            with lock:
                log.append(sent)
            try:
                r = post(sent)
            except requests.RequestException:
                return None  # the server died under it
            sent.status, sent.answer = r.status_code, r.json()
            answered.release()
            return sent if r.status_code < 300 else None

        def lifecycle(household_id: int, id_number: str) -> None:
            apply = send(
                Sent(
                    "clerk",
                    "/api/v1/loans",
                    {
                        "household_id": household_id,
                        "borrower_id_number": id_number,
                        "amount": "10000.00",
                        "term_months": 12,
                        "purpose": "livestock",
                        "purpose_detail": "养牛",
                        "consent": True,
                    },
                    str(uuid.uuid4()),
                )
            )
            if apply is None:
                return
            loan = f"/api/v1/loans/{apply.answer['id']}"
            steps = [
                ("officer", "rate", {"scores": SCORES}),
                ("officer", "credit", {"amount": "10000.00", "term_months": 12}),
                ("officer2", "disburse", {"date": TODAY}),
                ("officer", "repay", {"amount": "500.00"}),
            ]
            for user, action, body in steps:
                if send(Sent(user, f"{loan}/{action}", body, str(uuid.uuid4()))) is None:
                    return

        def deposits() -> None:
            for i in range(4):
                if send(Sent("admin", "/api/v1/fund/deposits", _deposit(str(i)), str(uuid.uuid4()))) is None:
                    return

        threads = [threading.Thread(target=lifecycle, args=h) for h in households]
        threads.append(threading.Thread(target=deposits))
        for t in threads:
            t.start()
        for _ in range(KILL_AFTER_ANSWERS):
            assert answered.acquire(timeout=20), "the load stalled: " + server.log_tail()
        # kill in the worst moment: a step has committed and its document is being rendered, unanswered
        window = time.monotonic() + 15
        while time.monotonic() < window and not owed(app):
            time.sleep(0.01)
        server.kill()
        with app.app_context():
            checkpoints.write_checkpoint()  # and as the crash left them
            db.session.remove()
        for t in threads:
            t.join(timeout=30)
        interrupted = [s for s in log if s.status is None]
        assert interrupted, "the kill came after every request"
        refused = [(s.path, s.status, s.answer) for s in log if s.status is not None and s.status >= 300]
        assert refused == []

        assert owed(app), "the kill missed the moment between a step's commit and its answer"
        server.start()
        stored_answers = 0
        for sent in interrupted:
            first = post(sent)
            stored_answers += first.headers.get("Idempotent-Replayed") == "true"
            assert first.status_code < 300, (sent, first.text)
            again = post(sent)
            assert again.status_code == first.status_code and again.json() == first.json()
            assert again.headers.get("Idempotent-Replayed") == "true"
            sent.status, sent.answer = first.status_code, first.json()
        assert stored_answers >= 1  # done before the kill, unanswered: the retry gets the stored answer
        # every key answered: replays of those answered before the kill are their stored answers
        for sent in log:
            replayed = post(sent)
            assert replayed.headers.get("Idempotent-Replayed") == "true", (sent, replayed.text)
            assert replayed.json() == sent.answer

        loans = [s.answer["id"] for s in log if s.path == "/api/v1/loans"]
        for loan_id in loans:  # a read renders what a committed step still owes
            r = requests.get(
                f"{server.base}/api/v1/loans/{loan_id}/documents",
                headers={"Authorization": f"Bearer {tokens['clerk']}"},
                timeout=30,
            )
            assert r.status_code == 200
    finally:
        server.stop()

    with app.app_context():
        assert audit.verify().ok  # the chains, and against both checkpoints
        assert len(checkpoints.read_checkpoints().checkpoints) >= 2
        # one loan per applying household, one event per step and loan, one repayment per key
        assert db.session.scalar(select(func.count(Loan.id))) == len(loans)
        repay_keys = [s.key for s in log if s.path.endswith("/repay")]
        assert db.session.scalar(select(func.count(Repayment.id))) == len(repay_keys)
        for key in repay_keys:
            assert db.session.scalar(select(func.count()).where(Repayment.idempotency_key == key)) == 1
        deposit_count = deposits_before + len([s for s in log if s.path.endswith("/deposits")])
        assert db.session.scalar(select(func.count()).where(FundEntry.kind == "deposit")) == deposit_count
        for loan in db.session.scalars(select(Loan)):
            events = list(
                db.session.scalars(
                    select(AuditEvent)
                    .where(AuditEvent.entity_type == "loan", AuditEvent.entity_id == str(loan.id))
                    .order_by(AuditEvent.chain, AuditEvent.seq)
                )
            )
            moves = [e for e in events if e.after and "state" in e.after]
            assert (moves[-1].after["state"] if moves else "applied") == loan.state, loan.id
            actions = [e.action for e in events if e.action.startswith("loan.") and e.action != "loan.repay"]
            assert len(actions) == len(set(actions)), (loan.id, actions)  # no step twice
            kinds = {
                d.kind
                for d in db.session.scalars(
                    select(IssuedDocument).where(
                        IssuedDocument.case_type == "loan", IssuedDocument.case_id == loan.id
                    )
                )
            }
            assert ("loan_agreement" in kinds) == (loan.credited_on is not None), loan.id
            assert ("loan_receipt" in kinds) == (loan.disbursed_on is not None), loan.id
        assert db.session.scalar(select(func.count(OwedDocument.id))) == 0
        # every money row has its event
        repay_events = {
            e.after["repayment_id"]
            for e in db.session.scalars(select(AuditEvent).where(AuditEvent.action == "loan.repay"))
        }
        assert set(db.session.scalars(select(Repayment.id))) == repay_events
        deposit_events = {
            int(e.entity_id)
            for e in db.session.scalars(select(AuditEvent).where(AuditEvent.action == "fund.deposit"))
        }
        assert (
            set(db.session.scalars(select(FundEntry.id).where(FundEntry.kind == "deposit"))) == deposit_events
        )
        db.session.remove()
    assert time.monotonic() - started < DEADLINE_SECONDS


def owed(app) -> int:
    """Documents owed by committed steps and not yet rendered (read beside the server)."""
    from loanflow.documents.models import OwedDocument
    from loanflow.extensions import db

    with app.app_context():
        try:
            return db.session.scalar(select(func.count(OwedDocument.id)))
        finally:
            db.session.remove()


def _deposit(reference: str) -> dict:
    return {
        "county_code": "341503",
        "amount": "100000.00",
        "date": TODAY,
        "reference": f"财政拨款 {reference}",
    }
