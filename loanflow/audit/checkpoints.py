"""Signed checkpoints of the audit chains' heads, kept outside the database (审计检查点).

The hash chain shows any edit, except one made by someone who can also recompute every later
hash or cut the tail and reset the head (anyone with SQL access). So, at least daily and on
demand, each chain's head (chain, seq, hash, time) is signed with an HMAC key the database does
not hold and appended to a log the database cannot reach: one JSON line per head,
``audit-checkpoints.jsonl`` in ``AUDIT_CHECKPOINT_DIR`` (the instance folder by default; a
mounted volume, another host's share or a synced bucket in production). Verification
(``services.verify``) then checks every chain against every checkpoint.

The key comes from ``AUDIT_CHECKPOINT_KEY`` (``LOANFLOW_AUDIT_KEY``), else from the file
``audit_checkpoint_key`` in the instance folder, generated on first use (``make run``). Who holds
the key can forge checkpoints, so production keeps it out of the database's host.

``write_checkpoint()`` is what the background jobs run daily and ``flask loanflow checkpoint-audit``
runs on demand.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from loanflow.audit.models import AuditChainHead
from loanflow.core import clock
from loanflow.extensions import db

LOG_NAME = "audit-checkpoints.jsonl"
KEY_NAME = "audit_checkpoint_key"


@dataclass(frozen=True)
class Checkpoint:
    """One chain's head as it stood at ``at`` (UTC, ISO 8601), signed."""

    chain: str
    seq: int
    hash: str
    at: str
    signature: str = ""

    def signed_text(self) -> bytes:
        fields = {"chain": self.chain, "seq": self.seq, "hash": self.hash, "at": self.at}
        return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()


@dataclass(frozen=True)
class CheckpointLog:
    """What the log holds: the checkpoints whose signature holds, and the lines that are not one."""

    checkpoints: list[Checkpoint]
    bad_lines: list[int]


def log_path() -> Path:
    folder = current_app.config.get("AUDIT_CHECKPOINT_DIR") or current_app.instance_path
    return Path(folder) / LOG_NAME


def write_checkpoint() -> list[Checkpoint]:
    """Sign every chain's head and append it to the checkpoint log; returns what was written.

    Run daily by the background jobs and on demand by ``flask loanflow checkpoint-audit``. It reads
    the heads as committed; an append is one ``write`` under an exclusive lock, so two writers never
    interleave their lines.
    """
    key = _key()
    at = clock.now().astimezone(UTC).isoformat(timespec="seconds")
    heads = db.session.execute(select(AuditChainHead.chain, AuditChainHead.seq, AuditChainHead.hash)).all()
    made = [_signed(key, Checkpoint(chain, seq, digest, at)) for chain, seq, digest in sorted(heads)]
    path = log_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = "".join(json.dumps(c.__dict__, ensure_ascii=False) + "\n" for c in made)
    with open(path, "a", encoding="utf-8") as log:
        fcntl.flock(log, fcntl.LOCK_EX)
        try:
            log.write(lines)
            log.flush()
            os.fsync(log.fileno())
        finally:
            fcntl.flock(log, fcntl.LOCK_UN)
    return made


def read_checkpoints() -> CheckpointLog:
    """Every checkpoint of the log whose signature holds; the numbers of the lines that do not."""
    path = log_path()
    if not path.exists():
        return CheckpointLog([], [])
    key, good, bad = _key(), [], []
    with open(path, encoding="utf-8") as log:
        for number, line in enumerate(log, start=1):
            if not line.strip():
                continue
            try:
                fields = json.loads(line)
                checkpoint = Checkpoint(
                    str(fields["chain"]),
                    int(fields["seq"]),
                    str(fields["hash"]),
                    str(fields["at"]),
                    str(fields["signature"]),
                )
            except (ValueError, KeyError, TypeError):
                bad.append(number)
                continue
            if hmac.compare_digest(_signed(key, checkpoint).signature, checkpoint.signature):
                good.append(checkpoint)
            else:
                bad.append(number)
    return CheckpointLog(good, bad)


def _signed(key: bytes, checkpoint: Checkpoint) -> Checkpoint:
    signature = hmac.new(key, checkpoint.signed_text(), hashlib.sha256).hexdigest()
    return Checkpoint(checkpoint.chain, checkpoint.seq, checkpoint.hash, checkpoint.at, signature)


def _key() -> bytes:
    configured = current_app.config.get("AUDIT_CHECKPOINT_KEY")
    if configured:
        return configured.encode() if isinstance(configured, str) else configured
    path = Path(current_app.instance_path) / KEY_NAME
    if not path.exists():
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it meanwhile
            pass
        else:
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_hex(32))
    return path.read_text().strip().encode()
