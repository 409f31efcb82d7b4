"""The two products as supervision reads them: one adapter each over the product's model and engine.

Everything supervision computes about a case (is it waiting, who may move it, how to name and
link it) goes through these adapters and the product's own ``CaseEngine``, so a state or an
action added to a product's table needs no change here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from loanflow.core.errors import NotFound, msg
from loanflow.core.workflow import CaseEngine
from loanflow.extensions import db
from loanflow.households.models import Member
from loanflow.loans.models import Loan
from loanflow.loans.workflow import LOANS
from loanflow.subsidies.documents import subsidy_case_no
from loanflow.subsidies.models import Publicity, SubsidyCase
from loanflow.subsidies.workflow import SUBSIDIES


@dataclass(frozen=True)
class Product:
    name: str  # "loan" / "subsidy": the engine's name, the audit entity, the press's case_type
    engine: CaseEngine
    endpoint: str  # the case's page
    number: Callable[[Any], str]
    action_kind: str  # the label kind of its actions
    state_kind: str
    options: tuple = field(default=())  # what the engine's guards read, loaded with the cases
    # For the dead-end screen (``services.dead_ends``), which reads no case it need not:
    # the column naming who took the step a four-eyes step is barred to (``Step.not_by_actor_of``)…
    actor_columns: Mapping[str, Any] = field(default_factory=dict)
    # …and, per guarded action, SQL conditions on the row ``guard_join`` reaches (the case's column,
    # that row's key), one of which holds whenever the action's guards may refuse it today (they may
    # hold more often: those cases are judged in Python). A guarded action without: perhaps always refused.
    guard_refused: Mapping[str, Callable[[date], Any]] = field(default_factory=dict)
    guard_join: tuple[Any, Any] | None = None

    @property
    def model(self) -> type:
        return self.engine.model

    @property
    def table(self):
        return self.engine.table

    def load(self, ids: Iterable[int]) -> dict[int, Any]:
        """The cases by id, in one query (with what their guards read)."""
        ids = list(ids)
        if not ids:
            return {}
        stmt = select(self.model).where(self.model.id.in_(ids)).options(*self.options)
        return {c.id: c for c in db.session.scalars(stmt)}


LOAN = Product(
    "loan",
    LOANS,
    "web.loan",
    lambda c: c.case_number,
    "loan_action",
    "loan_state",
    actor_columns={"credit": Loan.credited_by_id},
)


SUBSIDY = Product(
    "subsidy",
    SUBSIDIES,
    "web.subsidy",
    subsidy_case_no,
    "subsidy_action",
    "subsidy_state",
    options=(selectinload(SubsidyCase.publicity),),
    actor_columns={"verify": SubsidyCase.verified_by_id},
    # the 公示 guards read the case's 公示 list (a publicized case always has one: the publicize action
    # writes both); ``ix_publicity_approval`` finds the lists still short of approval
    guard_join=(SubsidyCase.publicity_id, Publicity.id),
    guard_refused={
        # ``rules.publicity_running``: objections close after the 公示's last day
        "object": lambda today: [Publicity.end_on < today],
        # ``rules.publicity_over``: approval not open yet, or a 公示 on a year not published (perhaps
        # published since: such a case is a candidate, judged in Python)
        "approve": lambda today: [Publicity.approval_opens_on > today, Publicity.provisional],
    },
)
PRODUCTS: dict[str, Product] = {p.name: p for p in (LOAN, SUBSIDY)}


def product(name: str) -> Product:
    found = PRODUCTS.get(name)
    if found is None:
        raise NotFound(msg(f"没有“{name}”这类案件", f"There is no case type '{name}'"))
    return found


def household_names(cases: Iterable[Any]) -> dict[int, str]:
    """The head's name of each case's household (a loan names its borrower), in at most one query."""
    names: dict[int, str] = {}
    missing: dict[int, list[Any]] = {}
    for c in cases:
        if isinstance(c, Loan):
            names[id(c)] = c.borrower_name
        else:
            missing.setdefault(c.household_id, []).append(c)
    if missing:
        heads = select(Member.household_id, Member.name).where(
            Member.household_id.in_(list(missing)), Member.relation == "head"
        )
        by_household = dict(db.session.execute(heads).all())
        for household_id, cs in missing.items():
            for c in cs:
                names[id(c)] = by_household.get(household_id, "")
    return names
