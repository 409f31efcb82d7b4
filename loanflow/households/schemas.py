"""How the API shows things: codes with labels, money as strings, personal data masked by role."""

from __future__ import annotations

from loanflow.accounts.models import User
from loanflow.api.common import with_label
from loanflow.core.domain.idcard import mask_account, mask_id_number
from loanflow.core.domain.money import format_money
from loanflow.core.scope import can_see_full_identity
from loanflow.households.models import Household


def member_json(m, whole: bool) -> dict:
    data = {
        "id": m.id,
        "name": m.name,
        "id_number": m.id_number if whole or not m.id_number else mask_id_number(m.id_number),
        "no_id_reason": m.no_id_reason,
        "sex": m.sex,
        "birth_date": m.birth_date.isoformat() if m.birth_date else None,
        "relation": m.relation,
        "labour": m.labour,
        "phone": m.phone,
    }
    with_label(data, "relation", "relation")
    with_label(data, "labour", "labour")
    with_label(data, "sex", "sex")
    return data


def household_json(h: Household, user: User, whole: bool) -> dict:
    """``whole`` on the household's own page for roles that need it; masked in lists."""
    show = whole and can_see_full_identity(user)
    data = {
        "id": h.id,
        "version": h.version,
        "village_code": h.village_code,
        "village_name": h.village.name if h.village else None,
        "address": h.address,
        "status": h.status,
        "monitoring": h.monitoring,
        "monitoring_set_on": h.monitoring_set_on.isoformat() if h.monitoring_set_on else None,
        "attribute": h.attribute,
        "main_cause": h.main_cause,
        "secondary_causes": list(h.secondary_causes or []),
        "income_per_head": format_money(h.income_per_head),
        "account_type": h.account_type,
        "bank_account": h.bank_account if show else mask_account(h.bank_account),
        "bank_name": h.bank_name,
        "status_reason": h.status_reason,
        "status_document": h.status_document,
        "members": [member_json(m, show) for m in h.members],
    }
    head = h.head
    data["head_name"] = head.name if head else None
    for field, kind in (
        ("status", "status"),
        ("monitoring", "monitoring"),
        ("attribute", "attribute"),
        ("main_cause", "cause"),
        ("account_type", "account_type"),
    ):
        with_label(data, field, kind)
    data["secondary_causes_labels"] = [
        with_label(d := {"c": c}, "c", "cause") or d["c_label"] for c in data["secondary_causes"]
    ]
    return data
