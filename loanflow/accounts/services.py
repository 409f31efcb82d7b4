"""Users, regions and branches: the admin's use cases, audited."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from loanflow.accounts.models import ROLES, User
from loanflow.accounts.passwords import MIN_LENGTH, password_problems
from loanflow.audit import services as audit
from loanflow.core import uow
from loanflow.core.errors import Conflict, Forbidden, Invalid, msg
from loanflow.core.regions import Branch, BranchTownship, Region
from loanflow.extensions import db

MIN_PASSWORD = MIN_LENGTH


def require_admin(actor: User | None) -> None:
    """403 unless the actor is an admin (None: a command run by the operator)."""
    if actor is not None and actor.role != "admin":
        raise Forbidden(
            msg(
                "只有系统管理员可以管理用户、区划和网点",
                "Only an admin may manage users, regions and branches",
            )
        )


def user_snapshot(u: User) -> dict:
    """What an audit event shows of a user (never the password hash)."""
    return {
        "username": u.username,
        "full_name": u.full_name,
        "role": u.role,
        "region_code": u.region_code,
        "branch_id": u.branch_id,
        "active": u.active,
        "must_change_password": bool(u.must_change_password),
    }


def placement_errors(role: str, region_code: str, branch_id: int | None) -> dict[str, list]:
    """A role from the list, a region node that exists, a branch for bank officers only."""
    errors: dict[str, list] = {}
    if role not in ROLES:
        errors["role"] = [msg("请从列表中选择角色", f"The role must be one of {', '.join(ROLES)}")]
    if db.session.get(Region, region_code) is None:
        errors["region"] = [msg(f"区划代码 {region_code} 不存在", f"No region has the code {region_code}")]
    if role == "bank_officer":
        branch = db.session.get(Branch, branch_id) if branch_id else None
        if branch is None:
            errors["branch"] = [msg("信贷员必须属于一个网点", "A bank officer belongs to a branch")]
        elif not region_code.startswith(branch.county_code) and not branch.county_code.startswith(
            region_code
        ):
            errors["branch"] = [msg("网点不在该用户所属区划内", "The branch is outside the user's region")]
    elif branch_id is not None:
        errors["branch"] = [msg("只有信贷员属于网点", "Only bank officers belong to a branch")]
    return errors


def create_user(
    actor: User | None,
    *,
    username: str,
    full_name: str,
    role: str,
    region_code: str,
    password: str,
    branch_id: int | None = None,
    phone: str = "",
    min_password: int = MIN_PASSWORD,
) -> User:
    """Create a user with one role and one region node (bank officers: one branch)."""
    require_admin(actor)
    errors: dict[str, list] = {}
    username, full_name = (username or "").strip(), (full_name or "").strip()
    if not username:
        errors["username"] = [msg("请填写用户名", "The username is required")]
    elif db.session.scalar(select(User.id).where(User.username == username)):
        errors["username"] = [msg("用户名已存在", "The username is taken")]
    if not full_name:
        errors["full_name"] = [msg("请填写姓名", "The name is required")]
    errors.update(placement_errors(role, region_code, branch_id))
    if actor is not None and not region_code.startswith(actor.region_code[:6]):
        errors["region"] = [msg("区划须在本县之内", "The region must be inside your county")]
    problems = password_problems(password, username, min_password)
    if problems:
        errors["password"] = problems
    if errors:
        raise Invalid(errors)
    user = User(
        username=username,
        full_name=full_name,
        role=role,
        region_code=region_code,
        branch_id=branch_id,
        phone=phone,
        password_hash=generate_password_hash(password, current_app.config["PASSWORD_HASH_METHOD"]),
        must_change_password=actor is not None,  # a password an admin chose is changed at first login
    )
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "user.create", "user", user.id, chain=region_code[:6], after=user_snapshot(user))
    uow.flush()
    return user


def create_region(actor: User | None, code: str, name: str) -> Region:
    """Add a county (6 digits), township (9) or village (12) under its parent."""
    require_admin(actor)
    levels = {6: "county", 9: "township", 12: "village"}
    if not code.isdigit() or len(code) not in levels:
        raise Invalid(
            {"code": [msg("区划代码须为 6、9 或 12 位数字", "A region code has 6, 9 or 12 digits")]}
        )
    if db.session.get(Region, code) is not None:
        raise Conflict(msg(f"区划代码 {code} 已被使用", f"The region code {code} is already in use"))
    if not (name or "").strip():
        raise Invalid({"name": [msg("请填写名称", "The name is required")]})
    name = name.strip()
    parent = code[:-3] if len(code) > 6 else None
    if parent and db.session.get(Region, parent) is None:
        raise Invalid(
            {"code": [msg(f"上级区划 {parent} 不存在", f"The parent region {parent} does not exist")]}
        )
    region = Region(code=code, name=name, level=levels[len(code)], parent_code=parent)
    db.session.add(region)
    audit.record(actor, "region.create", "region", code, chain=code[:6], after={"code": code, "name": name})
    db.session.flush()
    return region


def create_branch(
    actor: User | None, *, name: str, bank: str, address: str, county_code: str, township_codes: list[str]
) -> Branch:
    """A bank branch serving a set of townships (each township has one branch)."""
    require_admin(actor)
    taken = db.session.scalars(
        select(BranchTownship.township_code).where(BranchTownship.township_code.in_(township_codes))
    ).all()
    if taken:
        raise Invalid(
            {
                "townships": [
                    msg(
                        f"乡镇 {', '.join(taken)} 已有服务网点",
                        f"Townships {', '.join(taken)} already have a branch",
                    )
                ]
            }
        )
    branch = Branch(
        name=name,
        bank=bank,
        address=address,
        county_code=county_code,
        townships=[BranchTownship(township_code=t) for t in township_codes],
    )
    db.session.add(branch)
    db.session.flush()
    audit.record(
        actor,
        "branch.create",
        "branch",
        branch.id,
        chain=county_code,
        after={"name": name, "bank": bank, "address": address, "townships": township_codes},
    )
    return branch
