"""Spot checks (暗访抽查): a seeded sample of the cases opened in a period, findings, problems closed.

The population is every case of the product opened in the region between the two dates, ordered by
product and id; ``domain.sampling`` draws from it, so the same inputs give the same cases in the same
order, and anyone can draw the sample again to see it was not picked by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from loanflow.audit import services as audit
from loanflow.core import clock
from loanflow.core.errors import Conflict, Invalid, NotFound, msg
from loanflow.core.regions import Region
from loanflow.core.scope import in_region, village_filter
from loanflow.extensions import db
from loanflow.supervision.cases import PRODUCTS
from loanflow.supervision.domain.sampling import draw_sample, draw_seed
from loanflow.supervision.models import RESULTS, SpotCheck, SpotCheckItem
from loanflow.supervision.services.stalled import require_supervisor

MAX_SIZE = 500
PRODUCT_CHOICES = ("loan", "subsidy", "all")


@dataclass(frozen=True)
class Progress:
    checked: int
    total: int
    problems: int
    problems_open: int


def progress_of(sample: SpotCheck) -> Progress:
    items = sample.items
    return Progress(
        checked=sum(1 for i in items if i.result is not None),
        total=len(items),
        problems=sum(1 for i in items if i.result == "problem"),
        problems_open=sum(1 for i in items if i.open_problem),
    )


def population(region: str, product: str, opened_from: date, opened_to: date) -> list[tuple[str, int, str]]:
    """(case type, id, village) of every case of the region opened between the dates, in a fixed order."""
    names = sorted(PRODUCTS) if product == "all" else [product]
    out: list[tuple[str, int, str]] = []
    for name in names:
        m = PRODUCTS[name].model
        stmt = (
            select(m.id, m.village_code)
            .where(
                m.village_code.startswith(region),
                m.applied_on >= opened_from,
                m.applied_on <= opened_to,
            )
            .order_by(m.id)
        )
        out.extend((name, case_id, village) for case_id, village in db.session.execute(stmt))
    return out


def _check_inputs(user: Any, data: dict) -> dict:
    errors: dict[str, list] = {}
    region = str(data.get("region") or user.region_code)
    if not in_region(user, region) or db.session.get(Region, region) is None:
        errors["region"] = [msg("不是您辖区内的区划", "Not a region of yours")]
    if data.get("product") not in PRODUCT_CHOICES:
        errors["product"] = [msg("须为 loan、subsidy 或 all", "Must be loan, subsidy or all")]
    start, end = data.get("opened_from"), data.get("opened_to")
    if start and end and start > end:
        errors["opened_to"] = [msg("不能早于起始日期", "Must not be before opened_from")]
    if end and end > clock.today():
        errors["opened_to"] = [msg("不能晚于今天", "Must not be after today")]
    size = data.get("size")
    if not isinstance(size, int) or isinstance(size, bool) or not 1 <= size <= MAX_SIZE:
        errors["size"] = [msg(f"须为 1 至 {MAX_SIZE} 的整数", f"Must be a whole number from 1 to {MAX_SIZE}")]
    seed = str(data.get("seed") or "").strip()
    if len(seed) > 40:
        errors["seed"] = [msg("不能超过 40 个字符", "At most 40 characters")]
    if errors:
        raise Invalid(errors)
    return {**data, "region": region, "seed": seed or draw_seed()}


def draw_spot_check(user: Any, data: dict) -> SpotCheck:
    """Draw a sample (region, product, opened_from, opened_to, size, seed) and record it with an audit event."""
    require_supervisor(user)
    data = _check_inputs(user, data)
    pop = population(data["region"], data["product"], data["opened_from"], data["opened_to"])
    drawn = draw_sample(pop, data["size"], data["seed"])
    sample = SpotCheck(
        region_code=data["region"],
        product=data["product"],
        opened_from=data["opened_from"],
        opened_to=data["opened_to"],
        size=data["size"],
        seed=data["seed"],
        population=len(pop),
        drawn_by_id=user.id,
        drawn_at=clock.now(),
        items=[
            SpotCheckItem(position=n, case_type=t, case_id=i, village_code=v)
            for n, (t, i, v) in enumerate(drawn, start=1)
        ],
    )
    db.session.add(sample)
    db.session.flush()
    audit.record(
        user,
        "supervision.spot_check",
        "spot_check",
        sample.id,
        chain=sample.region_code[:6],
        after={
            "region": sample.region_code,
            "product": sample.product,
            "opened_from": sample.opened_from,
            "opened_to": sample.opened_to,
            "size": sample.size,
            "seed": sample.seed,
            "population": sample.population,
            "cases": [f"{t}:{i}" for t, i, _v in drawn],
        },
    )
    return sample


def get_spot_check(user: Any, sample_id: int) -> SpotCheck:
    """A sample of the caller's region (404 otherwise), its items loaded."""
    require_supervisor(user)
    sample = db.session.scalar(
        select(SpotCheck).where(SpotCheck.id == sample_id).options(selectinload(SpotCheck.items))
    )
    if sample is None or not in_region(user, sample.region_code):
        raise NotFound(msg(f"抽查 {sample_id} 不存在", f"Spot check {sample_id} not found"))
    return sample


def spot_checks(user: Any, page: int = 1, per_page: int = 50) -> tuple[list[SpotCheck], int]:
    """The samples of the caller's region, newest first."""
    require_supervisor(user)
    stmt = select(SpotCheck).where(village_filter(user, SpotCheck.region_code))
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = db.session.scalars(
        stmt.options(selectinload(SpotCheck.items))
        .order_by(SpotCheck.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return list(rows), total


def _item(sample: SpotCheck, case_type: str, case_id: int) -> SpotCheckItem:
    item = next((i for i in sample.items if i.case_type == case_type and i.case_id == case_id), None)
    if item is None:
        raise Invalid({"case_id": [msg("该案件不在此次抽查样本中", "The case is not in this sample")]})
    return item


def record_finding(user: Any, sample_id: int, data: dict) -> SpotCheckItem:
    """The finding on one sampled case: ``fine``, or ``problem`` with a note (a problem stays open)."""
    sample = get_spot_check(user, sample_id)
    result, note = data.get("result"), (data.get("note") or "").strip()
    errors: dict[str, list] = {}
    if result not in RESULTS:
        errors["result"] = [msg("须为 fine 或 problem", "Must be fine or problem")]
    if result == "problem" and not note:
        errors["note"] = [msg("发现问题须写明情况", "A problem needs a note")]
    if errors:
        raise Invalid(errors)
    item = _item(sample, data.get("case_type"), data.get("case_id"))
    if item.result is not None:
        raise Conflict(msg("该案件已有督查意见", "A finding is already recorded for this case", "state"))
    item.result, item.note, item.checked_by_id, item.checked_at = result, note, user.id, clock.now()
    db.session.flush()
    audit.record(
        user,
        "supervision.finding",
        "spot_check",
        sample.id,
        chain=sample.region_code[:6],
        after={"case": f"{item.case_type}:{item.case_id}", "result": result},
        reason=note,
    )
    return item


def close_problem(user: Any, sample_id: int, data: dict) -> SpotCheckItem:
    """Close an open problem with a note of what was done."""
    sample = get_spot_check(user, sample_id)
    note = (data.get("note") or "").strip()
    if not note:
        raise Invalid({"note": [msg("请写明整改情况", "Write what was done")]})
    item = _item(sample, data.get("case_type"), data.get("case_id"))
    if not item.open_problem:
        raise Conflict(msg("该案件没有未整改的问题", "The case has no open problem", "state"))
    item.closed_at, item.closed_by_id, item.close_note = clock.now(), user.id, note
    db.session.flush()
    audit.record(
        user,
        "supervision.problem_closed",
        "spot_check",
        sample.id,
        chain=sample.region_code[:6],
        before={"case": f"{item.case_type}:{item.case_id}", "result": "problem"},
        after={"case": f"{item.case_type}:{item.case_id}", "closed": True},
        reason=note,
    )
    return item
