"""Numbers the household tests need: valid bank card and id numbers, as the demo makes them.

Copied out of ``loanflow.demo`` so that the tests depend on no demo code.
"""

from __future__ import annotations

import random
from datetime import date

from loanflow.core.domain.idcard import check_character


def demo_card(rng: random.Random) -> str:
    """A card number of the county's bank (621799…) with a valid Luhn check digit."""
    digits = "621799" + "".join(str(rng.randrange(10)) for _ in range(12))
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return digits + str((10 - total % 10) % 10)


def demo_id_number(rng: random.Random, birth: date, seq: int) -> str:
    """A valid id number of the demo county (341503) for someone born on ``birth``."""
    first17 = f"341503{birth:%Y%m%d}{seq % 1000:03d}"
    return first17 + check_character(first17)
