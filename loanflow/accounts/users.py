"""Managing users (admin) and changing one's own password: every change an audited before → after."""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import func, or_, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from loanflow.accounts.models import ApiToken, User
from loanflow.accounts.passwords import password_problems
from loanflow.accounts.services import placement_errors, require_admin, user_snapshot
from loanflow.audit import services as audit
from loanflow.core import clock, uow
from loanflow.core.errors import Conflict, Invalid, NotFound, msg
from loanflow.extensions import db

EDITABLE = ("full_name", "role", "region_code", "branch_id", "active")


def list_users(
    actor: User,
    q: str | None = None,
    role: str | None = None,
    region: str | None = None,
    active: bool | None = None,
) -> list[User]:
    """The users of the admin's region, searched by username or name, filtered by role, region node, active."""
    require_admin(actor)
    query = select(User).where(User.region_code.startswith(actor.region_code[:6]))
    if q:
        like = f"%{q.strip().lower()}%"
        query = query.where(or_(func.lower(User.username).like(like), func.lower(User.full_name).like(like)))
    if role:
        query = query.where(User.role == role)
    if region:
        query = query.where(User.region_code.startswith(region))
    if active is not None:
        query = query.where(User.active.is_(active))
    return list(db.session.scalars(query.order_by(User.username)))


def get_user(actor: User, user_id: int) -> User:
    require_admin(actor)
    user = db.session.get(User, user_id)
    if user is None or not user.region_code.startswith(actor.region_code[:6]):
        raise NotFound(msg("用户不存在", "No such user"))
    return user


def _hash(password: str) -> str:
    return generate_password_hash(password, current_app.config["PASSWORD_HASH_METHOD"])


def update_user(actor: User, user_id: int, changes: dict[str, Any]) -> User:
    """Change a user's name, role, region, branch or active flag, or reset the password (forced change).

    Deactivating a user or resetting their password revokes their tokens and ends their page sessions at
    once (the session generation ``accounts.login.session_user`` checks).
    """
    user = get_user(actor, user_id)
    before = user_snapshot(user)
    wanted = {k: v for k, v in changes.items() if k in EDITABLE}
    if "full_name" in wanted:
        wanted["full_name"] = (wanted["full_name"] or "").strip()
    errors: dict[str, list] = {}
    if wanted.get("full_name") == "":
        errors["full_name"] = [msg("请填写姓名", "The name is required")]
    role = wanted.get("role", user.role)
    region = wanted.get("region_code", user.region_code)
    branch_id = wanted.get("branch_id", user.branch_id)
    if role != "bank_officer" and "branch_id" not in wanted:
        branch_id = None  # leaving the officers leaves the branch
    errors.update(placement_errors(role, region, branch_id))
    if not region.startswith(actor.region_code[:6]):
        errors["region"] = [msg("区划须在本县之内", "The region must be inside your county")]
    password = changes.get("password")
    if password is not None:
        problems = password_problems(password, user.username)
        if problems:
            errors["password"] = problems
    if errors:
        raise Invalid(errors)
    if user.id == actor.id and (wanted.get("active") is False or role != "admin"):
        raise Conflict(
            msg(
                "不能停用自己或取消自己的管理员角色",
                "You may not deactivate yourself or drop your own admin role",
            )
        )
    user.full_name = wanted.get("full_name", user.full_name)
    user.role, user.region_code, user.branch_id = role, region, branch_id
    if "active" in wanted:
        user.active = bool(wanted["active"])
    if password is not None:
        user.password_hash = _hash(password)
        user.must_change_password = True
    if password is not None or not user.active:
        user.session_generation += 1  # every page session of the user ends at once (accounts.login)
        db.session.execute(
            update(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
            .values(revoked_at=clock.now())
        )
    user.version += 1
    after = user_snapshot(user)
    changed = {k for k in after if after[k] != before[k]}
    if changed or password is not None:
        action = _action(before, after, password is not None)
        audit.record(
            actor,
            action,
            "user",
            user.id,
            chain=user.county_code,
            before={k: before[k] for k in sorted(changed)},
            after={**{k: after[k] for k in sorted(changed)}, **({"password": "reset"} if password else {})},
        )
    uow.flush()
    return user


def _action(before: dict, after: dict, reset: bool) -> str:
    if before["active"] != after["active"]:
        return "user.reactivate" if after["active"] else "user.deactivate"
    if reset and all(before[k] == after[k] for k in before if k != "must_change_password"):
        return "user.password_reset"
    return "user.update"


def change_own_password(user: User, current: str, new: str) -> User:
    """The user sets a new password (forced after a reset); the old one must be given."""
    errors: dict[str, list] = {}
    if not check_password_hash(user.password_hash, current or ""):
        errors["current_password"] = [msg("当前密码不正确", "The current password is wrong")]
    problems = password_problems(new or "", user.username)
    if check_password_hash(user.password_hash, new or ""):
        problems.append(msg("新密码不能与当前密码相同", "The new password must differ from the current one"))
    if problems:
        errors["new_password"] = problems
    if errors:
        raise Invalid(errors)
    forced = bool(user.must_change_password)
    user.password_hash = _hash(new)
    user.must_change_password = False
    user.version += 1
    audit.record(
        user,
        "user.password_change",
        "user",
        user.id,
        chain=user.county_code,
        before={"must_change_password": forced},
        after={"password": "changed", "must_change_password": False},
    )
    uow.flush()
    return user


def record_login(user: User) -> None:
    """When the user last logged in (the admin's home lists those who never did)."""
    user.last_login_at = clock.now()
    uow.flush()
