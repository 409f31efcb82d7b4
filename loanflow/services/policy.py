"""The policy in force, its versions, and publishing a new one (admin only, audited)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from loanflow import clock
from loanflow.domain.policy import Policy, PolicyError, default_policy_document, validate_policy
from loanflow.extensions import db
from loanflow.models import PolicyVersion, User
from loanflow.services import audit
from loanflow.services.errors import Forbidden, Invalid, NotFound, msg

# A published version never changes, so its parsed form is kept; the key includes the publication
# time so that a database rebuilt from scratch (tests, a restored backup) never meets a stale entry.
_cache: dict[tuple, Policy] = {}


def _policy(row: PolicyVersion) -> Policy:
    key = (row.version, row.published_at)
    cached = _cache.get(key)
    if cached is None:
        cached = _cache[key] = Policy(row.document, row.version)
    return cached


def current_policy() -> Policy:
    """The newest published version; version 1 (DOMAIN.md's defaults) is seeded when there is none."""
    row = db.session.scalar(select(PolicyVersion).order_by(PolicyVersion.version.desc()).limit(1))
    if row is None:
        row = PolicyVersion(
            version=1, document=default_policy_document(), published_at=clock.now(), note="defaults"
        )
        db.session.add(row)
        audit.record(None, "policy.publish", "policy", 1, chain=audit.GLOBAL_CHAIN, after={"version": 1})
        db.session.flush()
    return _policy(row)


def policy_version(version: int) -> Policy:
    row = db.session.get(PolicyVersion, version)
    if row is None:
        raise NotFound(msg(f"政策版本 {version} 不存在", f"Policy version {version} does not exist"))
    return _policy(row)


def list_versions() -> list[PolicyVersion]:
    return list(db.session.scalars(select(PolicyVersion).order_by(PolicyVersion.version)))


def publish_policy(actor: User | None, document: Any, note: str = "") -> Policy:
    """Validate a whole document and publish it as the next version; a bad document is refused whole."""
    if actor is not None and actor.role != "admin":
        raise Forbidden(msg("只有系统管理员可以发布政策", "Only an admin may publish the policy"))
    try:
        validate_policy(document)
    except PolicyError as e:
        raise Invalid({path: [msg(m, m)] for path, ms in e.errors.items() for m in ms}) from e
    current_policy()
    version = (db.session.scalar(select(func.max(PolicyVersion.version))) or 0) + 1
    row = PolicyVersion(
        version=version,
        document=document,
        published_at=clock.now(),
        published_by_id=getattr(actor, "id", None),
        note=note,
    )
    db.session.add(row)
    audit.record(
        actor,
        "policy.publish",
        "policy",
        version,
        chain=audit.GLOBAL_CHAIN,
        after={"version": version, "note": note},
        reason=note,
    )
    db.session.commit()
    return _policy(row)
