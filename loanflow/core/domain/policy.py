"""The policy (政策参数): every number a decision depends on, versioned as a whole.

The document is plain JSON-compatible data (money and rates as decimal
strings). ``DEFAULT_POLICY`` holds DOMAIN.md's defaults and seeds version 1;
an admin publishes later versions. ``Policy`` wraps one version with typed
accessors so that the rest of the domain never reads a literal.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

DEFAULT_POLICY: dict[str, Any] = {
    "four_eyes": True,
    "token_hours": 12,  # an API bearer token's lifetime
    "loan": {
        "admitted_statuses": ["not_out", "out", "relapsed"],
        "admitted_monitoring": ["unstable", "marginal", "hardship"],
        "min_age": 18,
        "max_age": 65,
        "purposes": ["planting", "livestock", "processing", "trade", "tourism"],
        "max_amount": "50000.00",
        "min_term_months": 1,
        "max_term_months": 36,
        "scorecard": [
            {"code": "household_size", "name_zh": "家庭人口", "name_en": "Household size", "max": 10},
            {"code": "workers", "name_zh": "劳动力", "name_en": "Workers", "max": 15},
            {"code": "assets", "name_zh": "家庭资产", "name_en": "Assets", "max": 15},
            {"code": "net_income", "name_zh": "家庭纯收入", "name_en": "Net income", "max": 20},
            {"code": "integrity", "name_zh": "诚信度", "name_en": "Integrity", "max": 25},
            {"code": "repayment_record", "name_zh": "信用记录", "name_en": "Repayment record", "max": 15},
        ],
        "grades": [
            {"min_score": 90, "grade": "5star", "label": "★★★★★", "limit": "50000.00"},
            {"min_score": 80, "grade": "4star", "label": "★★★★", "limit": "40000.00"},
            {"min_score": 70, "grade": "3star", "label": "★★★", "limit": "30000.00"},
            {"min_score": 60, "grade": "2star", "label": "★★", "limit": "20000.00"},
        ],
        "rates": [
            {"effective_from": "2024-07-22", "max_term_months": 12, "rate": "0.0335"},
            {"effective_from": "2024-07-22", "max_term_months": 36, "rate": "0.0385"},
            {"effective_from": "2024-10-21", "max_term_months": 12, "rate": "0.0310"},
            {"effective_from": "2024-10-21", "max_term_months": 36, "rate": "0.0360"},
            {"effective_from": "2025-05-20", "max_term_months": 12, "rate": "0.0300"},
            {"effective_from": "2025-05-20", "max_term_months": 36, "rate": "0.0350"},
        ],
        "method": "balloon",
        "subsidy_ratio": "1.00",
        "penalty_markup": "0.50",
        "compound_markup": "0.50",
        "extension": {
            "max_count": 1,
            "max_months": 12,
            "short_term_months": 12,
            "short_term_factor": "1",
            "long_term_factor": "0.5",
            "subsidy_continues": True,
        },
        "compensation": {"overdue_days": 90, "fund_share": "0.80"},
        "fund_leverage": 10,
    },
    "subsidy": {
        "industries": [
            {
                "code": "pig",
                "name_zh": "生猪",
                "name_en": "Pigs",
                "unit_zh": "头",
                "unit_en": "head",
                "rate": "200.00",
            },
            {
                "code": "poultry",
                "name_zh": "家禽",
                "name_en": "Poultry",
                "unit_zh": "百羽",
                "unit_en": "100 birds",
                "rate": "300.00",
            },
            {
                "code": "tea",
                "name_zh": "茶叶",
                "name_en": "Tea",
                "unit_zh": "亩",
                "unit_en": "mu",
                "rate": "500.00",
            },
            {
                "code": "kiwi",
                "name_zh": "猕猴桃",
                "name_en": "Kiwi fruit",
                "unit_zh": "亩",
                "unit_en": "mu",
                "rate": "800.00",
            },
            {
                "code": "silkworm",
                "name_zh": "蚕桑",
                "name_en": "Silkworm mulberry",
                "unit_zh": "亩",
                "unit_en": "mu",
                "rate": "400.00",
            },
            {
                "code": "konjac",
                "name_zh": "魔芋",
                "name_en": "Konjac",
                "unit_zh": "亩",
                "unit_en": "mu",
                "rate": "600.00",
            },
        ],
        "household_cap": "3000.00",
        "cap_period": "calendar_year",
        "campaign": None,
        "publicity_working_days": 5,
    },
    "deadlines": {
        "loan": {
            "applied": 5,
            "rated": 5,
            "credited": 7,
            "extension_requested": 5,
            "compensation_claimed": 10,
        },
        "subsidy": {"applied": 5, "verified": 5, "publicized": 5, "approved": 5},
    },
    # optional in a document (versions published before it existed read the default)
    "supervision": {"daily_applications_flag": 20},
}


def default_policy_document() -> dict[str, Any]:
    """A fresh copy of the default document (callers may change it)."""
    return copy.deepcopy(DEFAULT_POLICY)


@dataclass(frozen=True)
class Grade:
    grade: str
    label: str
    min_score: int
    limit: Decimal


@dataclass(frozen=True)
class Industry:
    code: str
    name_zh: str
    name_en: str
    unit_zh: str
    unit_en: str
    rate: Decimal


class PolicyError(ValueError):
    """A policy document that cannot be used; ``errors`` maps path → messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(f"{k}: {', '.join(v)}" for k, v in errors.items()))
        self.errors = errors


class Policy:
    """One version of the policy, read through named accessors."""

    def __init__(self, document: dict[str, Any], version: int = 0):
        self.document = document
        self.version = version
        self.loan = document["loan"]
        self.subsidy = document["subsidy"]
        self.deadlines = document["deadlines"]

    # --- general
    @property
    def four_eyes(self) -> bool:
        return bool(self.document.get("four_eyes", True))

    @property
    def token_hours(self) -> int:
        """How long an API bearer token lives."""
        return int(self.document.get("token_hours", DEFAULT_POLICY["token_hours"]))

    # --- loan
    @property
    def max_amount(self) -> Decimal:
        return Decimal(self.loan["max_amount"])

    @property
    def purposes(self) -> list[str]:
        return list(self.loan["purposes"])

    @property
    def method(self) -> str:
        return self.loan["method"]

    @property
    def subsidy_ratio(self) -> Decimal:
        return Decimal(self.loan["subsidy_ratio"])

    def penalty_rate(self, contract_rate: Decimal) -> Decimal:
        """罚息利率: the contract rate raised by the penalty markup."""
        return contract_rate * (1 + Decimal(self.loan["penalty_markup"]))

    def compound_rate(self, contract_rate: Decimal) -> Decimal:
        """复利利率 on overdue household-share interest."""
        return contract_rate * (1 + Decimal(self.loan["compound_markup"]))

    @property
    def fund_share(self) -> Decimal:
        """The county fund's share of a compensation (风险代偿), and of later recoveries."""
        return Decimal(self.loan["compensation"]["fund_share"])

    def grades(self) -> list[Grade]:
        rows = [
            Grade(g["grade"], g["label"], int(g["min_score"]), Decimal(g["limit"]))
            for g in self.loan["grades"]
        ]
        return sorted(rows, key=lambda g: g.min_score, reverse=True)

    def rate_for(self, term_months: int, on: date) -> Decimal:
        """The annual rate of the newest row in force on ``on`` covering the term.

        The rows of one effective date are bands by ``max_term_months``; the longest
        band is open-ended: a term beyond every band (an extension taking a 36-month
        loan to 48) takes the longest band's rate, the over-5-year LPR. A published
        table reaches ``loan.max_term_months`` (``validate_policy``), so the longest band
        covers every term a credit may have. ``PolicyError`` only when no row is in force
        on ``on`` (the services turn it into a 422).
        """
        rows = [r for r in self.loan["rates"] if date.fromisoformat(r["effective_from"]) <= on]
        if not rows:
            raise PolicyError({"loan.rates": [f"no rate in force on {on.isoformat()}"]})
        newest = max(date.fromisoformat(r["effective_from"]) for r in rows)
        bands = sorted(
            (r for r in rows if date.fromisoformat(r["effective_from"]) == newest),
            key=lambda r: r["max_term_months"],
        )
        for row in bands:
            if term_months <= int(row["max_term_months"]):
                return Decimal(row["rate"])
        return Decimal(bands[-1]["rate"])  # beyond every band: the longest band's rate

    # --- subsidy
    def industries(self) -> dict[str, Industry]:
        return {
            i["code"]: Industry(
                i["code"], i["name_zh"], i["name_en"], i["unit_zh"], i["unit_en"], Decimal(i["rate"])
            )
            for i in self.subsidy["industries"]
        }

    @property
    def household_cap(self) -> Decimal:
        return Decimal(self.subsidy["household_cap"])

    @property
    def publicity_working_days(self) -> int:
        return int(self.subsidy["publicity_working_days"])

    @property
    def daily_applications_flag(self) -> int:
        """More applications than this opened by one clerk in one day is a flag (疑点) for supervisors."""
        default = DEFAULT_POLICY["supervision"]["daily_applications_flag"]
        return int(self.document.get("supervision", {}).get("daily_applications_flag", default))

    def deadline_days(self, product: str, stage: str) -> int | None:
        """Working days the stage is given; a stage newer than this version takes the default's."""
        value = self.deadlines.get(product, {}).get(stage)
        if value is None:
            value = DEFAULT_POLICY["deadlines"].get(product, {}).get(stage)
        return int(value) if value is not None else None


def with_new_parameters(document: dict) -> dict:
    """``document`` with the parameters it predates (a stage added since) at their defaults.

    A version published before a stage existed (say ``deadlines.loan.compensation_claimed``) still
    reads through ``deadline_days``; a new version edited from it starts from this, so the new stage is
    a field with its default, shown as a change, rather than an error with nowhere to fix it.
    """
    filled = copy.deepcopy(document)
    for product, stages in DEFAULT_POLICY["deadlines"].items():
        given = filled.setdefault("deadlines", {}).setdefault(product, {})
        for stage, days in stages.items():
            given.setdefault(stage, days)
    return filled


def _decimal(errors: dict[str, list[str]], path: str, value: Any, *, low=None, high=None) -> None:
    if not isinstance(value, str):
        errors.setdefault(path, []).append("must be a decimal string")
        return
    try:
        d = Decimal(value)
    except InvalidOperation:
        errors.setdefault(path, []).append("is not a decimal number")
        return
    if not d.is_finite() or (low is not None and d < low) or (high is not None and d > high):
        errors.setdefault(path, []).append(f"must be between {low} and {high}")


def _int(errors, path, value, *, low=0, high=10**6) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        errors.setdefault(path, []).append(f"must be a whole number between {low} and {high}")


def validate_policy(document: Any) -> Policy:
    """Check a whole document; raise ``PolicyError`` naming every bad path."""
    errors: dict[str, list[str]] = {}
    if not isinstance(document, dict):
        raise PolicyError({"": ["the policy must be an object"]})
    for section in ("loan", "subsidy", "deadlines"):
        if not isinstance(document.get(section), dict):
            errors[section] = ["section is missing"]
    unknown = set(document) - {"four_eyes", "token_hours", "loan", "subsidy", "deadlines", "supervision"}
    for key in sorted(unknown):
        errors[key] = ["unknown section"]
    if errors:
        raise PolicyError(errors)
    loan, sub = document["loan"], document["subsidy"]
    missing = set(DEFAULT_POLICY["loan"]) - set(loan)
    for key in sorted(missing):
        errors[f"loan.{key}"] = ["is required"]
    missing = set(DEFAULT_POLICY["subsidy"]) - set(sub)
    for key in sorted(missing):
        errors[f"subsidy.{key}"] = ["is required"]
    if errors:
        raise PolicyError(errors)
    if "token_hours" in document:  # versions published before it existed read the default
        _int(errors, "token_hours", document["token_hours"], low=1, high=24 * 30)
    _int(errors, "loan.min_age", loan["min_age"], low=0, high=120)
    _int(errors, "loan.max_age", loan["max_age"], low=0, high=120)
    _decimal(errors, "loan.max_amount", loan["max_amount"], low=Decimal("0.01"), high=Decimal("10000000"))
    _int(errors, "loan.min_term_months", loan["min_term_months"], low=1, high=120)
    _int(errors, "loan.max_term_months", loan["max_term_months"], low=1, high=120)
    _decimal(errors, "loan.subsidy_ratio", loan["subsidy_ratio"], low=Decimal(0), high=Decimal(1))
    _decimal(errors, "loan.penalty_markup", loan["penalty_markup"], low=Decimal(0), high=Decimal(5))
    _decimal(errors, "loan.compound_markup", loan["compound_markup"], low=Decimal(0), high=Decimal(5))
    _int(errors, "loan.fund_leverage", loan["fund_leverage"], low=1, high=100)
    if loan["method"] not in ("balloon", "equal_principal"):
        errors["loan.method"] = ["must be balloon or equal_principal"]
    if not isinstance(loan["purposes"], list) or not loan["purposes"]:
        errors["loan.purposes"] = ["must be a non-empty list"]
    card = loan["scorecard"]
    if not isinstance(card, list) or not card:
        errors["loan.scorecard"] = ["must be a non-empty list"]
    else:
        for i, item in enumerate(card):
            if not isinstance(item, dict) or not {"code", "name_zh", "max"} <= set(item):
                errors[f"loan.scorecard[{i}]"] = ["needs code, name_zh and max"]
            else:
                _int(errors, f"loan.scorecard[{i}].max", item["max"], low=1, high=100)
        if not any(k.startswith("loan.scorecard") for k in errors):
            if sum(item["max"] for item in card) != 100:
                errors["loan.scorecard"] = ["the maximum points must add up to 100"]
    for i, g in enumerate(loan["grades"] if isinstance(loan["grades"], list) else []):
        if not isinstance(g, dict) or not {"min_score", "grade", "label", "limit"} <= set(g):
            errors[f"loan.grades[{i}]"] = ["needs min_score, grade, label and limit"]
            continue
        _int(errors, f"loan.grades[{i}].min_score", g["min_score"], low=0, high=100)
        _decimal(errors, f"loan.grades[{i}].limit", g["limit"], low=Decimal("0.01"))
    if not isinstance(loan["grades"], list) or not loan["grades"]:
        errors["loan.grades"] = ["must be a non-empty list"]
    rates = loan["rates"] if isinstance(loan["rates"], list) else []
    if not rates:
        errors["loan.rates"] = ["must be a non-empty list"]
    for i, r in enumerate(rates):
        if not isinstance(r, dict):
            errors[f"loan.rates[{i}]"] = ["must be an object with effective_from, max_term_months and rate"]
            continue
        try:
            date.fromisoformat(r["effective_from"])
        except (KeyError, TypeError, ValueError):
            errors[f"loan.rates[{i}].effective_from"] = ["must be an ISO date"]
        _int(errors, f"loan.rates[{i}].max_term_months", r.get("max_term_months"), low=1, high=120)
        _decimal(errors, f"loan.rates[{i}].rate", r.get("rate"), low=Decimal(0), high=Decimal("0.5"))
    ext = loan["extension"] if isinstance(loan["extension"], dict) else {}
    for key in ("max_count", "max_months", "short_term_months"):
        _int(errors, f"loan.extension.{key}", ext.get(key), low=0, high=120)
    for key in ("short_term_factor", "long_term_factor"):
        _decimal(errors, f"loan.extension.{key}", ext.get(key), low=Decimal(0), high=Decimal(1))
    comp = loan["compensation"] if isinstance(loan["compensation"], dict) else {}
    _int(errors, "loan.compensation.overdue_days", comp.get("overdue_days"), low=1, high=3650)
    _decimal(errors, "loan.compensation.fund_share", comp.get("fund_share"), low=Decimal(0), high=Decimal(1))
    inds = sub["industries"] if isinstance(sub["industries"], list) else []
    if not inds:
        errors["subsidy.industries"] = ["must be a non-empty list"]
    for i, ind in enumerate(inds):
        if not isinstance(ind, dict) or not {"code", "name_zh", "unit_zh", "rate"} <= set(ind):
            errors[f"subsidy.industries[{i}]"] = ["needs code, name_zh, unit_zh and rate"]
            continue
        _decimal(errors, f"subsidy.industries[{i}].rate", ind["rate"], low=Decimal("0.01"))
        ind.setdefault("name_en", ind["code"])
        ind.setdefault("unit_en", ind["unit_zh"])
    _decimal(errors, "subsidy.household_cap", sub["household_cap"], low=Decimal("0.01"))
    if sub["cap_period"] not in ("calendar_year", "campaign"):
        errors["subsidy.cap_period"] = ["must be calendar_year or campaign"]
    _int(errors, "subsidy.publicity_working_days", sub["publicity_working_days"], low=1, high=60)
    supervision = document.get("supervision", {})
    if not isinstance(supervision, dict):
        errors["supervision"] = ["must be an object"]
    elif "daily_applications_flag" in supervision:
        _int(errors, "supervision.daily_applications_flag", supervision["daily_applications_flag"], low=1)
    for product, stages in DEFAULT_POLICY["deadlines"].items():
        given = document["deadlines"].get(product)
        for stage in stages:
            value = given.get(stage) if isinstance(given, dict) else None
            _int(errors, f"deadlines.{product}.{stage}", value, low=1, high=365)
    if errors:
        raise PolicyError(errors)
    if loan["min_age"] > loan["max_age"]:
        errors["loan.min_age"] = ["must not exceed max_age"]
    if loan["min_term_months"] > loan["max_term_months"]:
        errors["loan.min_term_months"] = ["must not exceed max_term_months"]
    _rate_bands_reach(errors, rates, loan["max_term_months"])
    if errors:
        raise PolicyError(errors)
    return Policy(document)


def _rate_bands_reach(errors: dict[str, list[str]], rates: list[dict], max_term: int) -> None:
    """Each effective date's bands must reach the longest term a credit may have."""
    longest: dict[str, int] = {}
    for r in rates:
        longest[r["effective_from"]] = max(longest.get(r["effective_from"], 0), r["max_term_months"])
    for day, reach in sorted(longest.items()):
        if reach < max_term:
            errors.setdefault("loan.rates", []).append(
                f"the bands from {day} reach {reach} months, not loan.max_term_months ({max_term})"
            )
