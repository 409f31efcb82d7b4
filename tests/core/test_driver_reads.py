"""Reads sent by the driver itself (``uow.fetch``, ``uow.loaded``: who acts, a case by id, a case's
timeline) give what SQLAlchemy's own execution gives, and the objects they make are the session's as
if the ORM had loaded them (issue 14)."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy
import sqlalchemy.orm.exc
from sqlalchemy import column, event, inspect, select, table, update

from loanflow.audit.services import _timeline_statement
from loanflow.core import uow
from loanflow.extensions import db
from loanflow.loans.models import Loan
from loanflow.loans.testing.factories import disbursed_loan
from loanflow.testing.querycount import request_sql, statements

pytestmark = pytest.mark.bare_demo


@pytest.fixture
def loan_id(funded) -> int:
    loan_id = disbursed_loan(funded).id
    uow.commit()
    db.session.expunge_all()
    return loan_id


def _by_sqlalchemy(stmt, params) -> list[tuple]:
    return [tuple(row) for row in db.session.connection().execute(stmt, params)]


def test_a_timeline_read_by_the_driver_is_what_sqlalchemy_reads(loan_id):
    stmt = _timeline_statement()
    params = {"entity_type": "loan", "entity_id": str(loan_id)}
    fetched = uow.fetch(stmt, params)
    assert fetched == _by_sqlalchemy(stmt, params)
    assert len(fetched) >= 4  # applied, rated, credited, disbursed
    first = fetched[0]
    assert first[1].tzinfo is not None  # occurred_at as the app's UTC type gives it
    assert any(isinstance(row[7], dict) for row in fetched)  # ``after`` as a dict, not text


def test_a_case_read_by_id_has_every_column_as_the_orm_loads_it(loan_id):
    with statements() as seen:
        fetched = uow.get(Loan, loan_id)
    assert len(request_sql(seen)) == 1
    values = {a.key: getattr(fetched, a.key) for a in inspect(Loan).column_attrs}
    db.session.expunge_all()
    loaded = db.session.get(Loan, loan_id)
    assert values == {a.key: getattr(loaded, a.key) for a in inspect(Loan).column_attrs}
    assert isinstance(values["requested_amount"], Decimal) and values["disbursed_on"] is not None


def test_a_case_read_by_id_is_persistent_clean_and_written_with_its_version(loan_id):
    loan = uow.get(Loan, loan_id)
    assert inspect(loan).persistent and loan in db.session and not db.session.dirty
    assert loan.household.id == loan.household_id  # a relationship loads when first read
    version = loan.version
    loan.purpose_detail = "扩大养殖规模"
    db.session.flush()
    db.session.expunge_all()
    again = db.session.get(Loan, loan_id)
    assert again.purpose_detail == "扩大养殖规模" and again.version == version + 1


def test_a_case_read_by_id_refuses_a_stale_write_as_the_orm_does(loan_id):
    loan = uow.get(Loan, loan_id)
    db.session.execute(update(Loan.__table__).where(Loan.id == loan_id).values(version=Loan.version + 1))
    loan.purpose_detail = "两人同时修改"
    with pytest.raises(sqlalchemy.orm.exc.StaleDataError):  # the version it was read with is checked
        db.session.flush()
    db.session.rollback()


def test_a_held_case_is_taken_as_held_and_its_expired_columns_filled_from_the_row(loan_id):
    loan = uow.get(Loan, loan_id)
    db.session.expire(loan, ["state", "requested_amount"])
    row = {a.key: None for a in inspect(Loan).column_attrs} | {
        "id": loan_id,
        "state": "x",
        "requested_amount": 1,
    }
    seen = []
    count = lambda *args: seen.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        held = uow.loaded(Loan, row)
        assert held is loan and loan.state == "x" and loan.requested_amount == 1
        assert loan.purpose is not None  # not expired: kept, not overwritten by the row's None
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert seen == []  # nothing read


def test_a_statement_the_driver_refuses_is_reported_by_sqlalchemy(app):
    missing = select(table("no_such_table", column("x")).c.x)
    with pytest.raises(sqlalchemy.exc.DBAPIError) as refused:
        uow.fetch(missing, {})
    assert "no_such_table" in str(refused.value.statement)
    db.session.rollback()


@pytest.mark.parametrize(
    "name", ["accounts.models.User", "loans.models.Loan", "subsidies.models.SubsidyCase"]
)
def test_the_models_read_by_the_driver_need_nothing_more_at_a_load_than_their_columns(app, name):
    """``uow.loaded`` does what a load does for a plain mapped table; a model given an eager relationship,
    a load event (or a ``reconstructor``), deferred columns or subclasses must go back to the ORM's load."""
    import importlib

    module, cls = f"loanflow.{name}".rsplit(".", 1)
    mapper = inspect(getattr(importlib.import_module(module), cls))
    assert {r.lazy for r in mapper.relationships} <= {"select"}
    assert not mapper.class_manager.dispatch.load and not mapper.class_manager.dispatch.refresh
    assert mapper.polymorphic_on is None and not mapper.inherits
    assert all(not p.deferred and len(p.columns) == 1 for p in mapper.column_attrs)
    assert len(mapper.column_attrs) == len(mapper.local_table.columns)
