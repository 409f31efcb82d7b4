"""Resident ID numbers (居民身份证号码, GB 11643-1999) and other personal identifiers.

Also masking of ID numbers and bank accounts (脱敏), the Luhn check of card
numbers and the shape of mobile numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from loanflow.core.domain.reasons import Reason, ReasonError

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARACTERS = "10X98765432"
_SHAPE = re.compile(r"[0-9]{17}[0-9X]")
_MOBILE = re.compile(r"1[0-9]{10}")
# The province-level codes of GB/T 2260 that open an ID number (DOMAIN.md "The household register").
PROVINCE_CODES = frozenset(
    [
        *range(11, 16),
        *range(21, 24),
        *range(31, 38),
        *range(41, 47),
        *range(50, 55),
        *range(61, 66),
        71,
        81,
        82,
    ]
)
EARLIEST_BIRTH_YEAR = 1900

MALE = "male"
FEMALE = "female"


class IdNumberError(ReasonError):
    """An ID number that is not a valid GB 11643-1999 number."""


@dataclass(frozen=True)
class IdNumber:
    """A valid ID number with what it encodes: the birth date and the sex."""

    value: str
    birth_date: date
    sex: str


def check_character(first17: str) -> str:
    """The 18th character (校验码) for the first 17 digits."""
    total = sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARACTERS[total % 11]


def parse_id_number(raw: object, today: date) -> IdNumber:
    """Check an ID number and derive its birth date and sex.

    The first two digits must be a province code, the birth date a real date
    from 1900 up to ``today``.
    ``today`` is the business date: the birth date may not be after it.
    A lower-case ``x`` is accepted and returned upper-case.
    Raises ``IdNumberError`` with a distinct reason for each kind of mistake.
    """
    if not isinstance(raw, str):
        raise IdNumberError(
            Reason("id_number.not_text", "身份证号码必须是文本", "The ID number must be a string")
        )
    if len(raw) != 18:
        raise IdNumberError(
            Reason(
                "id_number.length",
                f"身份证号码应为 18 位，实际为 {len(raw)} 位",
                f"The ID number must have 18 characters, not {len(raw)}",
            )
        )
    value = raw.upper() if raw.endswith("x") else raw
    if not _SHAPE.fullmatch(value):
        raise IdNumberError(
            Reason(
                "id_number.characters",
                "身份证号码前 17 位必须是数字，最后一位是数字或 X",
                "The ID number must be 17 digits followed by a digit or X",
            )
        )
    if int(value[:2]) not in PROVINCE_CODES:
        raise IdNumberError(
            Reason(
                "id_number.province",
                f"身份证号码前两位 {value[:2]} 不是省级行政区划代码",
                f"The ID number's first two digits {value[:2]} are not a province code",
            )
        )
    expected = check_character(value[:17])
    if value[17] != expected:
        raise IdNumberError(
            Reason(
                "id_number.check_character",
                "身份证号码校验位不正确，请核对号码",
                "The ID number's check character is wrong; please check the number",
            )
        )
    try:
        birth = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise IdNumberError(
            Reason(
                "id_number.birth_date_invalid",
                f"身份证号码中的出生日期 {value[6:14]} 不是有效日期",
                f"The birth date {value[6:14]} in the ID number is not a real date",
            )
        ) from None
    if birth.year < EARLIEST_BIRTH_YEAR:
        raise IdNumberError(
            Reason(
                "id_number.birth_date_too_early",
                f"身份证号码中的出生年份 {birth.year} 早于 {EARLIEST_BIRTH_YEAR} 年",
                f"The birth year {birth.year} in the ID number is before {EARLIEST_BIRTH_YEAR}",
            )
        )
    if birth > today:
        raise IdNumberError(
            Reason(
                "id_number.birth_date_future",
                f"身份证号码中的出生日期 {birth.isoformat()} 晚于今天",
                f"The birth date {birth.isoformat()} in the ID number is in the future",
            )
        )
    sex = MALE if int(value[16]) % 2 else FEMALE
    return IdNumber(value, birth, sex)


def age_on(birth_date: date, on: date) -> int:
    """Age in full years (周岁) on a day; someone born 29 February turns a year older on 1 March."""
    before_birthday = (on.month, on.day) < (birth_date.month, birth_date.day)
    return on.year - birth_date.year - (1 if before_birthday else 0)


def mask_id_number(value: str) -> str:
    """Mask an ID number for lists and logs: ``110105********002X`` (first 6, last 4)."""
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_account(value: str) -> str:
    """Mask a bank account, keeping the last 4 characters: ``************1234``."""
    if len(value) <= 4:
        return "*" * len(value)
    return "*" * (len(value) - 4) + value[-4:]


def mask_phone(value: str) -> str:
    """Mask a phone number, keeping the first 3 and last 4 digits of a mobile: ``138****5678``."""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def luhn_ok(digits: str) -> bool:
    """True when an ASCII digit string of at least 2 digits passes the Luhn check (card numbers)."""
    if not isinstance(digits, str) or len(digits) < 2 or not re.fullmatch(r"[0-9]+", digits):
        return False
    total = 0
    for i, c in enumerate(reversed(digits)):
        n = int(c)
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def valid_mobile(value: str) -> bool:
    """True for a mainland mobile number: 11 ASCII digits starting with 1."""
    return isinstance(value, str) and _MOBILE.fullmatch(value) is not None
