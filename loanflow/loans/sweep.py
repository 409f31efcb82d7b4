"""The daily sweep (逾期检查): store the overdue state the ledger implies as of the business date.

What is overdue is computed when read; the sweep only stores it, so that lists,
the stalled queue and compensation see it: ``disbursed → overdue`` when
something is past due (after the due date's grace), ``overdue → disbursed`` when
it is cured. Each change is the state table's ``sweep`` action through the loan
engine (``loans.workflow.LOANS``: the guarded UPDATE on (id, state, version) and
its audit event), with its own commit through the unit of work, deliberately: one
loan's failure never undoes another's and no lock is held across the run. Run twice,
or on two nodes at once, the second run finds nothing to change or loses the guarded
update and writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from loanflow.calendar.services import work_calendar
from loanflow.core import clock, uow
from loanflow.core.errors import Conflict
from loanflow.extensions import db
from loanflow.loans.models import Loan
from loanflow.loans.services.money import position_of
from loanflow.loans.workflow import LOANS

SWEPT_STATES = ("disbursed", "overdue")


@dataclass
class SweepResult:
    as_of: date
    checked: int = 0
    became_overdue: list[int] = field(default_factory=list)
    cured: list[int] = field(default_factory=list)
    lost_races: int = 0

    def as_dict(self) -> dict:
        return {
            "as_of": self.as_of.isoformat(),
            "checked": self.checked,
            "became_overdue": len(self.became_overdue),
            "cured": len(self.cured),
            "lost_races": self.lost_races,
        }


def _store(loan: Loan, new_state: str, overdue_since: date | None) -> bool:
    """The LOAN table's ``sweep`` through the loan engine (guarded UPDATE + audit), its own commit;
    False when someone else moved the loan first. A pending extension keeps its deadline."""
    changes = {"overdue_since": overdue_since, "stage_due_on": loan.stage_due_on}
    try:
        LOANS.move(None, loan, "sweep", dest=new_state, changes=changes, reason="daily sweep")
    except Conflict:
        return False
    uow.commit()  # deliberately one loan at a time (see the module's docstring)
    return True


def run_sweep(as_of: date | None = None) -> SweepResult:
    """Check every disbursed and overdue loan; store the state its position implies."""
    as_of = as_of or clock.today()
    result, cal = SweepResult(as_of), work_calendar()
    ids = list(db.session.scalars(select(Loan.id).where(Loan.state.in_(SWEPT_STATES)).order_by(Loan.id)))
    # The sweep commits loan by loan: what the caller had pending commits first, and no transaction
    # is held open between loans.
    uow.commit()
    for loan_id in ids:
        loan = db.session.get(Loan, loan_id, populate_existing=True)
        if loan is None or loan.state not in SWEPT_STATES:
            continue
        result.checked += 1
        pos = position_of(loan, as_of, calendar=cal)
        wanted = "overdue" if pos.overdue and not pos.is_repaid else "disbursed"
        if wanted == loan.state:
            db.session.rollback()
            continue
        since = pos.overdue_since if wanted == "overdue" else None
        if _store(loan, wanted, since):
            (result.became_overdue if wanted == "overdue" else result.cured).append(loan.id)
        else:
            result.lost_races += 1
        db.session.expire_all()
    return result
