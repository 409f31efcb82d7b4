"""Fixtures the supervision tests share: a township supervisor beside the demo's county one."""

from __future__ import annotations

import pytest

from loanflow.accounts.models import User
from loanflow.accounts.services import create_user
from loanflow.core import uow

DEMO_PASSWORD = "demo-password"
TOWNSHIP_B = "341503002"  # 韩摆渡镇: clerk2's township, served by branch B


@pytest.fixture
def township_supervisor(demo) -> User:
    """``supervisor_b``: a supervisor of township B only (password demo-password)."""
    user = create_user(
        None,
        username="supervisor_b",
        full_name="郑督查",
        role="supervisor",
        region_code=TOWNSHIP_B,
        password=DEMO_PASSWORD,
    )
    uow.commit()
    return user
