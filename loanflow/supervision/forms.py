"""The supervision pages' forms: what a supervisor typed, parsed into what the services take."""

from __future__ import annotations

from datetime import date
from typing import Any

from werkzeug.datastructures import MultiDict

from loanflow.core.domain.labels import codes
from loanflow.core.errors import msg
from loanflow.supervision.services.stalled import Filters

Errors = dict[str, list]
STAGES = frozenset(codes("loan_state")) | frozenset(codes("subsidy_state"))


def stalled_filters(args: MultiDict) -> Filters:
    """The queue's filters from the query string; anything malformed is simply not applied."""
    get = lambda k: (args.get(k) or "").strip()  # noqa: E731
    product = get("product") if get("product") in ("loan", "subsidy") else None
    township = get("township") if get("township").isdigit() and len(get("township")) == 9 else None
    village = get("village") if get("village").isdigit() and len(get("village")) == 12 else None
    stage = get("stage") if get("stage") in STAGES else None
    pressed = {"1": True, "0": False}.get(get("pressed"))
    return Filters(product=product, township=township, village=village, stage=stage, pressed=pressed)


def _date(form: MultiDict, name: str, values: dict, errors: Errors) -> date | None:
    raw = (form.get(name) or "").strip()
    values[name] = raw
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors.setdefault(name, []).append(msg("请填写日期（如 2026-03-01）", "Enter a date (2026-03-01)"))
        return None


def spot_check_form(form: MultiDict) -> tuple[dict, dict[str, Any], Errors]:
    values: dict[str, Any] = {k: (form.get(k) or "").strip() for k in ("region", "product", "size", "seed")}
    errors: Errors = {}
    data: dict[str, Any] = {
        "region": values["region"] or None,
        "product": values["product"],
        "seed": values["seed"] or None,
        "opened_from": _date(form, "opened_from", values, errors),
        "opened_to": _date(form, "opened_to", values, errors),
    }
    try:
        data["size"] = int(values["size"])
    except ValueError:
        errors["size"] = [msg("请填写样本数量", "Enter the sample size")]
    return values, data, errors


def finding_form(form: MultiDict) -> dict[str, Any]:
    case_id = (form.get("case_id") or "").strip()
    return {
        "case_type": (form.get("case_type") or "").strip(),
        "case_id": int(case_id) if case_id.isdigit() else None,
        "result": (form.get("result") or "").strip(),
        "note": (form.get("note") or "").strip(),
    }


def event_search(args: MultiDict):
    """The audit search from the query string; a malformed date is left out."""
    from loanflow.supervision.services.audit_trail import EventSearch

    def day(name: str) -> date | None:
        try:
            return date.fromisoformat((args.get(name) or "").strip())
        except ValueError:
            return None

    text = {k: (args.get(k) or "").strip()[:60] or None for k in ("entity", "entity_id", "actor", "action")}
    return EventSearch(**text, date_from=day("from"), date_to=day("to"))
