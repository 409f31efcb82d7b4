"""Fixtures the loan tests share: a funded fund and a household that may borrow.

Loan tests mark themselves ``bare_demo`` so that ``demo`` is the county without seeded
cases: each starts from households without loans or subsidies.
"""

from __future__ import annotations

import pytest

from loanflow.accounts.models import User
from loanflow.households.models import Household
from loanflow.loans.testing.factories import deposit, fresh_households


@pytest.fixture
def funded(demo, users: dict[str, User]) -> dict[str, User]:
    """The users by name, with one million yuan in the county's risk fund (room for ten million)."""
    deposit("341503", "1000000.00")
    return users


@pytest.fixture
def household(funded: dict[str, User]) -> Household:
    """A household of the clerk's village without loans, whose head may borrow."""
    return fresh_households(funded["clerk"].region_code)[0]
