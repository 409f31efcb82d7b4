"""The demo county (DOMAIN.md "Demo data"): 11 townships, 87 villages, two branches, the demo users.

Everything is generated from a fixed seed, so two runs give the same county.
Cases in every state are added by the loans' and the subsidies' ``seed_demo`` (``CASE_BUILDERS``).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from loanflow.accounts.models import User
from loanflow.accounts.services import create_branch, create_region, create_user
from loanflow.audit import services as audit
from loanflow.core import clock, uow
from loanflow.core.domain.idcard import check_character
from loanflow.extensions import db
from loanflow.households.models import Household, Member
from loanflow.loans import demo as loans_demo
from loanflow.policy.services import current_policy
from loanflow.subsidies import demo as subsidies_demo
from loanflow.supervision import demo as supervision_demo

DEMO_PASSWORD = "demo-password"
COUNTY = ("341503", "裕安区")
TOWNSHIPS = [
    "苏埠镇",
    "韩摆渡镇",
    "新安镇",
    "顺河镇",
    "独山镇",
    "石婆店镇",
    "城南镇",
    "丁集镇",
    "固镇镇",
    "徐集镇",
    "分路口镇",
]
VILLAGE_WORDS = "桃园 李湾 红星 新桥 河口 东岭 西岗 南冲 北庄 柳树 青山 石桥 大塘 小河 黄墩 马埠 杨店 龙井 凤凰 松林 竹园 花园 金桥".split()
SURNAMES = "王 李 张 刘 陈 杨 黄 赵 吴 周 徐 孙 马 朱 胡 郭 何 高 林 罗".split()
GIVEN = "德 明 华 国 建 文 秀 英 兰 芳 春 桂 玉 志 海 军 平 强 红 梅".split()
VILLAGES_PER_TOWNSHIP = [8] * 10 + [7]  # 87 villages in all
# The features' demo cases, in this order (the subsidies take households the loans left; supervision
# presses and samples the cases both made).
CASE_BUILDERS: tuple[Callable[[random.Random], dict], ...] = (
    loans_demo.seed_demo,
    subsidies_demo.seed_demo,
    supervision_demo.seed_demo,  # presses, a sample and flags on the cases above
)


def has_users() -> bool:
    return db.session.scalar(select(User.id).limit(1)) is not None


def demo_id_number(rng: random.Random, birth: date, seq: int) -> str:
    first17 = f"{COUNTY[0]}{birth:%Y%m%d}{seq % 1000:03d}"
    return first17 + check_character(first17)


def demo_card(rng: random.Random) -> str:
    digits = "621799" + "".join(str(rng.randrange(10)) for _ in range(12))
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return digits + str((10 - total % 10) % 10)


def _regions() -> tuple[list[str], list[list[str]]]:
    create_region(None, COUNTY[0], COUNTY[1])
    townships, villages = [], []
    for t, (name, count) in enumerate(zip(TOWNSHIPS, VILLAGES_PER_TOWNSHIP, strict=True), start=1):
        tcode = f"{COUNTY[0]}{t:03d}"
        create_region(None, tcode, name)
        townships.append(tcode)
        vs = []
        for v in range(1, count + 1):
            vcode = f"{tcode}{v:03d}"
            create_region(None, vcode, VILLAGE_WORDS[(t * 3 + v) % len(VILLAGE_WORDS)] + "村")
            vs.append(vcode)
        villages.append(vs)
    return townships, villages


def _users(townships: list[str], villages: list[list[str]], branch_a: int, branch_b: int) -> None:
    people = [
        ("clerk", "王经办", "clerk", villages[0][0], None),
        ("clerk2", "李经办", "clerk", villages[1][0], None),
        ("officer", "张信贷", "bank_officer", COUNTY[0], branch_a),
        ("officer2", "刘信贷", "bank_officer", COUNTY[0], branch_a),
        ("officer3", "陈信贷", "bank_officer", COUNTY[0], branch_b),
        ("approver", "杨审核", "approver", townships[0], None),
        ("approver3", "黄审核", "approver", townships[1], None),
        ("approver2", "赵审批", "approver", COUNTY[0], None),
        ("supervisor", "吴督查", "supervisor", COUNTY[0], None),
        ("admin", "周管理", "admin", COUNTY[0], None),
    ]
    for username, full_name, role, region, branch in people:
        create_user(
            None,
            username=username,
            full_name=full_name,
            role=role,
            region_code=region,
            branch_id=branch,
            password=DEMO_PASSWORD,
            phone="0564-3300000",
        )


def _households(rng: random.Random, villages: list[list[str]], count: int) -> int:
    today = clock.today()
    flat = [v for vs in villages for v in vs]
    # the demo clerks' villages get a dozen households each so their lists are never empty
    targets = [villages[0][0]] * 12 + [villages[1][0]] * 12
    targets += [rng.choice(flat) for _ in range(max(0, count - len(targets)))]
    seq = 0
    for village in targets[:count]:
        size = rng.choice([1, 2, 3, 3, 4, 4, 5, 6])
        surname = rng.choice(SURNAMES)
        members = []
        head_birth = date(today.year - rng.randint(28, 62), rng.randint(1, 12), rng.randint(1, 28))
        for i in range(size):
            seq += 1
            relation = "head" if i == 0 else ("spouse" if i == 1 else "child")
            birth = (
                head_birth
                if i == 0
                else date(
                    head_birth.year + (rng.randint(-3, 3) if i == 1 else rng.randint(20, 28)),
                    rng.randint(1, 12),
                    rng.randint(1, 28),
                )
            )
            if birth > today:
                birth = date(today.year - 1, birth.month, birth.day)
            members.append(
                Member(
                    name=surname + rng.choice(GIVEN) + rng.choice(GIVEN)
                    if i != 1
                    else rng.choice(SURNAMES) + rng.choice(GIVEN),
                    id_number=demo_id_number(rng, birth, seq),
                    birth_date=birth,
                    sex="male" if (seq % 1000) % 2 else "female",
                    relation=relation,
                    labour=rng.choice(["skilled", "normal", "normal", "weak", "none"]),
                    phone=f"13{rng.randint(100000000, 999999999)}" if i == 0 else "",
                )
            )
            members[-1].sex = "male" if int(members[-1].id_number[16]) % 2 else "female"
        status = rng.choice(["not_out", "out", "out", "relapsed"])
        monitoring = rng.choice(["none", "none", "none", "unstable", "marginal", "hardship"])
        h = Household(
            village_code=village,
            address=f"{rng.randint(1, 9)}组{rng.randint(1, 80)}号",
            status=status,
            monitoring=monitoring,
            monitoring_set_on=date(today.year - 1, 6, 30) if monitoring != "none" else None,
            attribute=rng.choice(["general", "general", "dibao", "tekun"]),
            main_cause=rng.choice(
                ["illness", "disability", "schooling", "no_funds", "no_skills", "no_labour"]
            ),
            secondary_causes=rng.sample(
                ["no_funds", "no_skills", "transport", "no_water"], k=rng.randint(0, 2)
            ),
            income_per_head=Decimal(rng.randint(3500, 12000)),
            account_type="card",
            bank_account=demo_card(rng),
            bank_name="裕安区农村商业银行",
            created_at=clock.now(),
            updated_at=clock.now(),
            members=members,
        )
        db.session.add(h)
        db.session.flush()
        from loanflow.households.services import snapshot

        audit.record(
            None,
            "household.register",
            "household",
            h.id,
            chain=h.county_code,
            after=snapshot(h),
            reason="demo",
        )
    return len(targets[:count])


def build_demo(
    household_count: int = 300, case_builders: Sequence[Callable[[random.Random], dict]] = CASE_BUILDERS
) -> dict:
    """Build the demo county and return what was made; ``case_builders=()`` for a county without cases."""
    rng = random.Random(5321)
    current_policy()
    townships, villages = _regions()
    a = create_branch(
        None,
        name="裕安农商银行苏埠支行",
        bank="安徽裕安农村商业银行",
        address="苏埠镇中心街 18 号",
        county_code=COUNTY[0],
        township_codes=[townships[0]] + townships[2:6],
    )
    b = create_branch(
        None,
        name="裕安农商银行韩摆渡支行",
        bank="安徽裕安农村商业银行",
        address="韩摆渡镇淠河路 6 号",
        county_code=COUNTY[0],
        township_codes=[townships[1]] + townships[6:],
    )
    _users(townships, villages, a.id, b.id)
    made = _households(rng, villages, household_count)
    summary = {
        "county": COUNTY[1],
        "townships": len(townships),
        "villages": sum(map(len, villages)),
        "households": made,
        "password": DEMO_PASSWORD,
    }
    for seed_demo in case_builders:
        summary.update(seed_demo(rng))
    uow.commit()  # the demo builder is a command: one unit of work (back-dated steps commit as they go)
    return summary
