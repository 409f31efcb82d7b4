"""Rules of the household register (建档立卡) that no schema can express.

The API's schema has already checked shapes and codes; these check meaning:
ID numbers, one head, phones, the account number, and the reason and
document reference (文号) behind a change of status or monitoring.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from loanflow.core.domain.idcard import IdNumberError, luhn_ok, parse_id_number, valid_mobile
from loanflow.core.domain.reasons import Reason

Errors = dict[str, list[Reason]]


def _add(errors: Errors, field: str, code: str, zh: str, en: str) -> None:
    errors.setdefault(field, []).append(Reason(code, zh, en))


def check_account(account_type: str, number: str, errors: Errors, prefix: str = "") -> None:
    """一卡通 card numbers pass the Luhn check; passbook (存折) numbers are digits."""
    field = f"{prefix}bank_account"
    if not number.isdigit() or not 8 <= len(number) <= 30:
        _add(
            errors,
            field,
            "bank_account.digits",
            "银行账号应为 8 至 30 位数字",
            "The account number must be 8 to 30 digits",
        )
    elif account_type == "card" and not luhn_ok(number):
        _add(
            errors,
            field,
            "bank_account.luhn",
            "银行卡号校验位错误（Luhn 校验未通过）",
            "The card number fails the Luhn check",
        )


def check_members(members: list[dict[str, Any]], today: date, errors: Errors) -> list[dict[str, Any]]:
    """Check each member; return them with ``id_number`` normalised and sex and birth date derived."""
    heads = [m for m in members if m.get("relation") == "head"]
    if len(heads) != 1:
        _add(
            errors,
            "members",
            "members.one_head",
            f"每户必须有且只有一名户主（现有 {len(heads)} 名）",
            f"A household needs exactly one head (it has {len(heads)})",
        )
    seen: dict[str, int] = {}
    out = []
    for i, m in enumerate(members):
        m = dict(m)
        raw = m.get("id_number")
        if raw:
            try:
                parsed = parse_id_number(raw, today)
            except IdNumberError as e:
                errors.setdefault(f"members[{i}].id_number", []).append(e.reason)
            else:
                m["id_number"], m["birth_date"], m["sex"] = parsed.value, parsed.birth_date, parsed.sex
                if parsed.value in seen:
                    _add(
                        errors,
                        f"members[{i}].id_number",
                        "id_number.duplicate",
                        f"与第 {seen[parsed.value] + 1} 名成员身份证号码重复",
                        f"The same ID number as member {seen[parsed.value] + 1}",
                    )
                seen[parsed.value] = i
            m["no_id_reason"] = ""
        else:
            m["id_number"], m["birth_date"], m["sex"] = None, None, None
            if not (m.get("no_id_reason") or "").strip():
                _add(
                    errors,
                    f"members[{i}].no_id_reason",
                    "no_id_reason.required",
                    "没有身份证号码的成员须说明原因（如未落户、婴儿）",
                    "A member without an ID number needs a reason (e.g. no hukou, an infant)",
                )
        phone = m.get("phone") or ""
        if phone and not valid_mobile(phone):
            _add(
                errors,
                f"members[{i}].phone",
                "phone.invalid",
                "手机号码应为以 1 开头的 11 位数字",
                "A mobile number is 11 digits starting with 1",
            )
        if not (m.get("name") or "").strip():
            _add(errors, f"members[{i}].name", "name.required", "姓名不能为空", "The name is required")
        out.append(m)
    return out


# The register fields a change reason is asked for, by the name the user reads on the form.
CHANGE_BASIS_LABELS = {
    "status": ("脱贫状态", "the poverty status"),
    "monitoring": ("监测类型", "the monitoring type"),
}


def check_change_basis(changes: dict[str, Any], current: dict[str, Any], errors: Errors) -> None:
    """A change of status or monitoring records the reason and the document reference (文号).

    The message names the field by its label (脱贫状态), never by its code (``status``)."""
    changed = [f for f in CHANGE_BASIS_LABELS if f in changes and changes[f] != current.get(f)]
    if not changed:
        return
    zh = "、".join(CHANGE_BASIS_LABELS[f][0] for f in changed)
    en = " and ".join(CHANGE_BASIS_LABELS[f][1] for f in changed)
    if not (changes.get("change_reason") or "").strip():
        _add(
            errors,
            "change_reason",
            "change_reason.required",
            f"变更{zh}须填写变更原因",
            f"Changing {en} needs a reason",
        )
    if not (changes.get("document_ref") or "").strip():
        _add(
            errors,
            "document_ref",
            "document_ref.required",
            f"变更{zh}须填写依据文号",
            f"Changing {en} needs the document reference (文号)",
        )


def check_monitoring(data: dict[str, Any], errors: Errors) -> None:
    if data.get("monitoring", "none") != "none" and not data.get("monitoring_set_on"):
        _add(
            errors,
            "monitoring_set_on",
            "monitoring_set_on.required",
            "纳入监测对象须填写认定日期",
            "A monitoring type needs the date it was set",
        )
