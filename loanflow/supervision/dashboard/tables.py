"""The dashboard as labelled rows: what the API's JSON lists and what the page draws and tabulates.

One place turns the numbers into rows with their labels, so the page's tables, its charts
and the JSON can never disagree.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from loanflow.core.domain.labels import label
from loanflow.core.domain.workflows import LOAN, SUBSIDY
from loanflow.supervision.dashboard.services import Dashboard

NAMES = {
    "loan": ("扶贫小额信贷", "Small loans"),
    "subsidy": ("产业奖补", "Industry subsidies"),
    "1-30": ("1–30 天", "1–30 days"),
    "31-90": ("31–90 天", "31–90 days"),
    "91-180": ("91–180 天", "91–180 days"),
    "180+": ("180 天以上", "Over 180 days"),
}
STAGE_NAMES = {
    ("loan", "applied"): ("申请 → 评级", "Applied → rated"),
    ("loan", "rated"): ("评级 → 授信", "Rated → credited"),
    ("loan", "credited"): ("授信 → 放款", "Credited → disbursed"),
    ("subsidy", "applied"): ("申报 → 核验", "Applied → verified"),
    ("subsidy", "verified"): ("核验 → 公示", "Verified → publicized"),
    ("subsidy", "publicized"): ("公示期满 → 审批", "End of publicity → approved"),
    ("subsidy", "approved"): ("审批 → 发放", "Approved → paid"),
}


def name(key: str, lang: str) -> str:
    zh, en = NAMES[key]
    return en if lang == "en" else zh


def _money(value: Decimal) -> str:
    return format(value.quantize(Decimal("0.01")), "f")


def states(d: Dashboard, product: str, lang: str) -> list[dict[str, Any]]:
    table, counts, kind = (
        (LOAN, d.loan_states, "loan_state")
        if product == "loan"
        else (SUBSIDY, d.subsidy_states, "subsidy_state")
    )
    return [
        {"state": s, "state_label": label(kind, s, lang), "count": counts.get(s, 0)} for s in table.states
    ]


def stalled(d: Dashboard) -> list[dict[str, Any]]:
    return [
        {"township": t.code, "name": t.name, "loans": t.loans, "subsidies": t.subsidies, "total": t.total}
        for t in d.stalled
    ]


def amounts(d: Dashboard) -> dict[str, dict[str, Any]]:
    return {
        key: {"count": value.count, "amount": _money(value.amount)}
        for key, value in (
            ("credited", d.credited),
            ("disbursed", d.disbursed),
            ("outstanding", d.outstanding),
        )
    }


def overdue(d: Dashboard, lang: str) -> list[dict[str, Any]]:
    return [
        {"band": b.band, "band_label": name(b.band, lang), "count": b.count, "principal": _money(b.principal)}
        for b in d.overdue
    ]


def subsidies(d: Dashboard) -> dict[str, Any]:
    return {
        "approved": {"count": d.subsidies_approved.count, "amount": _money(d.subsidies_approved.amount)},
        "paid": {"count": d.subsidies_paid.count, "amount": _money(d.subsidies_paid.amount)},
        "cap": {
            "period": d.cap_period,
            "household_cap": _money(d.household_cap),
            "households": d.cap_households,
            "reserved": _money(d.cap_reserved),
            "cap_total": _money(d.cap_total),
            "households_at_cap": d.cap_households_full,
        },
    }


def durations(d: Dashboard, lang: str) -> list[dict[str, Any]]:
    return [
        {
            "product": s.product,
            "product_label": name(s.product, lang),
            "stage": s.stage,
            "stage_label": STAGE_NAMES[(s.product, s.stage)][1 if lang == "en" else 0],
            "cases": s.cases,
            "median_working_days": s.median_working_days,
        }
        for s in d.durations
    ]


def coverage(d: Dashboard) -> dict[str, Any]:
    share = d.loan_share
    return {
        "eligible_households": d.eligible_households,
        "households_with_loan": d.households_with_loan,
        "share_percent": None if share is None else format(share, "f"),
    }


def everything(d: Dashboard, lang: str) -> dict[str, Any]:
    """Every table of the dashboard by name (the page's chart data; the API dumps the same rows)."""
    return {
        "region": {"code": d.region.code, "name": d.region.name, "level": d.region.level},
        "from": d.start.isoformat(),
        "to": d.end.isoformat(),
        "as_of": d.as_of.isoformat(),
        "figures_as_of": d.figures_as_of.isoformat(timespec="seconds") if d.figures_as_of else None,
        "figures_current": d.figures_current,
        "loans_by_state": states(d, "loan", lang),
        "subsidies_by_state": states(d, "subsidy", lang),
        "stalled_by_township": stalled(d),
        "loan_amounts": amounts(d),
        "overdue_by_age": overdue(d, lang),
        "subsidy_amounts": subsidies(d),
        "stage_durations": durations(d, lang),
        "loan_coverage": coverage(d),
    }
