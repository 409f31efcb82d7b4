"""Fixtures for the dashboard tests: a township supervisor beside the demo's county supervisor."""

from __future__ import annotations

import pytest

from loanflow.accounts.models import User
from loanflow.accounts.services import create_user
from loanflow.core import uow

DEMO_PASSWORD = "demo-password"
TOWNSHIP_A = "341503001"  # 苏埠镇, where the demo clerk's cases are


@pytest.fixture
def township_supervisor(demo) -> User:
    """``supervisor_a``: a supervisor of township A only (password demo-password)."""
    user = create_user(
        None,
        username="supervisor_a",
        full_name="郑督查",
        role="supervisor",
        region_code=TOWNSHIP_A,
        password=DEMO_PASSWORD,
    )
    uow.commit()
    return user
