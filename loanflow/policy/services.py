"""The policy in force, its versions, and publishing a new one (admin only, audited)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from sqlalchemy import func, or_, select

from loanflow.accounts.models import User
from loanflow.audit import services as audit
from loanflow.core import clock, uow
from loanflow.core.domain.policy import Policy, PolicyError, default_policy_document, validate_policy
from loanflow.core.errors import Forbidden, Invalid, NotFound, msg
from loanflow.extensions import db
from loanflow.policy.document import Change, diff
from loanflow.policy.models import PolicyVersion

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
    """The newest version in force (its effective date reached); version 1 (DOMAIN.md's defaults) is
    seeded when there is none."""
    in_force = or_(PolicyVersion.effective_on.is_(None), PolicyVersion.effective_on <= clock.today())
    newest = select(PolicyVersion).order_by(PolicyVersion.version.desc()).limit(1)
    row = db.session.scalar(newest.where(in_force))
    if row is None:
        row = db.session.scalar(select(PolicyVersion).order_by(PolicyVersion.version).limit(1))
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


# What the policy check says, in Chinese; ``{0}``/``{1}`` are the figures of the English text.
_ZH = (
    (r"must be a decimal string", '须为十进制数字字符串（如 "0.05"）'),
    (r"is not a decimal number", "不是有效的十进制数"),
    (r"must be a whole number between (\S+) and (\S+)", "须为 {0} 至 {1} 之间的整数"),
    (r"must be between (\S+) and (\S+)", "须在 {0} 至 {1} 之间"),
    (r"the policy must be an object", "政策文件须为 JSON 对象"),
    (r"section is missing", "缺少此部分"),
    (r"unknown section", "不认识的部分"),
    (r"is required", "为必填项"),
    (r"must be balloon or equal_principal", "须为 balloon（到期一次还本）或 equal_principal（等额本金）"),
    (r"must be a non-empty list", "须为非空列表"),
    (r"needs code, name_zh and max", "每项须有 code、name_zh 和 max"),
    (r"the maximum points must add up to 100", "各项满分之和须为 100"),
    (r"needs min_score, grade, label and limit", "每档须有 min_score、grade、label 和 limit"),
    (r"must be an ISO date", "须为 ISO 格式日期（如 2026-01-01）"),
    (r"needs code, name_zh, unit_zh and rate", "每个产业须有 code、name_zh、unit_zh 和 rate"),
    (r"must be calendar_year or campaign", "须为 calendar_year（自然年）或 campaign（攻坚期）"),
    (r"must not exceed (\S+)", "不得大于 {0}"),
    (r"no rate in force on (\S+)", "{0} 没有适用的利率"),
    (
        r"must be an object with effective_from, max_term_months and rate",
        "每行须为含 effective_from、max_term_months 和 rate 的对象",
    ),
    (
        r"the bands from (\S+) reach (\d+) months, not loan.max_term_months \((\d+)\)",
        "{0} 起的利率档只覆盖到 {1} 个月，未达到 loan.max_term_months（{2} 个月）",
    ),
    (r"no rate for a term of (\d+) months", "没有 {0} 个月期限的利率"),
)


def in_chinese(message: str) -> str:
    """The Chinese of one of the policy check's messages; one it does not know keeps its English after 政策文件有误."""
    for pattern, zh in _ZH:
        found = re.fullmatch(pattern, message)
        if found:
            return zh.format(*found.groups())
    return f"政策文件有误：{message}"


def check_document(document: Any, effective_on: date | None = None) -> dict[str, list]:
    """Every error of a document (path → messages in both languages), and of its effective date."""
    errors: dict[str, list] = {}
    try:
        validate_policy(document)
    except PolicyError as e:
        errors = {path: [msg(in_chinese(m), m) for m in ms] for path, ms in e.errors.items()}
    if effective_on is not None and effective_on < clock.today():
        errors["effective_on"] = [
            msg(
                "生效日期不能早于今天（已作出的决定不受新版本影响）",
                "The effective date may not be before today",
            )
        ]
    return errors


def publish_policy(
    actor: User | None, document: Any, note: str = "", effective_on: date | None = None
) -> Policy:
    """Validate a whole document and publish it as the next version; a bad document is refused whole.

    ``effective_on``: the version is in force from that day (today or later; none: at once).
    """
    if actor is not None and actor.role != "admin":
        raise Forbidden(msg("只有系统管理员可以发布政策", "Only an admin may publish the policy"))
    errors = check_document(document, effective_on)
    if errors:
        raise Invalid(errors)
    current_policy()
    version = (db.session.scalar(select(func.max(PolicyVersion.version))) or 0) + 1
    row = PolicyVersion(
        version=version,
        document=document,
        published_at=clock.now(),
        published_by_id=getattr(actor, "id", None),
        note=note,
        effective_on=effective_on,
    )
    db.session.add(row)
    audit.record(
        actor,
        "policy.publish",
        "policy",
        version,
        chain=audit.GLOBAL_CHAIN,
        after={"version": version, "note": note, "effective_on": effective_on},
        reason=note,
    )
    uow.flush()
    return _policy(row)


def version_row(version: int) -> PolicyVersion:
    row = db.session.get(PolicyVersion, version)
    if row is None:
        raise NotFound(msg(f"政策版本 {version} 不存在", f"Policy version {version} does not exist"))
    return row


def compare_versions(a: int, b: int) -> tuple[PolicyVersion, PolicyVersion, list[Change]]:
    """Two versions and what changed from the first to the second, leaf by leaf."""
    old, new = version_row(a), version_row(b)
    return old, new, diff(old.document, new.document)
