"""Read-only lookups the subsidy page needs beside the service's answer; none changes anything."""

from __future__ import annotations

from loanflow.accounts.models import User
from loanflow.subsidies.models import SubsidyCase
from loanflow.subsidies.services import list_cases


def verified_companions(user: User, case: SubsidyCase) -> list[SubsidyCase]:
    """Other verified cases of the same village, which may go on the same 公示 list."""
    rows = list_cases(user, village=case.village_code, state="verified", per_page=500)[0]
    return [c for c in rows if c.id != case.id and c.village_code == case.village_code]
