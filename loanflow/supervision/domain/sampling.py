"""Spot-check samples (暗访抽查) that anyone can draw again: the same inputs give the same cases.

The population is ordered by a key that never changes (product, then the case's id), and the
sample is drawn from it with Python's Mersenne Twister seeded by the seed's text: the algorithm
Python documents as reproducible across versions for ``random.Random(str)`` and ``sample``.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")
SEED_DIGITS = 8


def draw_seed() -> str:
    """A fresh seed, shown with the sample so that it can be drawn again."""
    return str(secrets.randbelow(10**SEED_DIGITS)).zfill(SEED_DIGITS)


def draw_sample(population: Sequence[T], size: int, seed: str) -> list[T]:
    """``size`` members of ``population`` (all of them when it is smaller), in the order drawn."""
    ordered = list(population)
    return random.Random(f"loanflow-spot-check:{seed}").sample(ordered, min(size, len(ordered)))
