"""Migrations: upgrade to head and back down to nothing, on the database the suite runs on,
and the migrated schema matches the models (no change left for autogenerate to find)."""

from __future__ import annotations

import os
import tempfile

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import DatabaseError

from config import TestConfig
from loanflow import create_app
from loanflow.audit import services as audit
from loanflow.extensions import db


@pytest.fixture
def scratch_url():
    """A database of its own: a temporary SQLite file, or a fresh PostgreSQL database."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tempfile.mkdtemp(prefix='loanflow-mig-')}/mig.db"
        return
    import psycopg

    root, name = base.rsplit("/", 1)
    scratch = f"{name}_migrations"
    plain = root.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(f"{plain}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {scratch} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {scratch}")
    yield f"{root}/{scratch}"
    with psycopg.connect(f"{plain}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {scratch} WITH (FORCE)")


def test_migrations_upgrade_to_the_models_and_downgrade_to_nothing(scratch_url):
    app = create_app(TestConfig, {"SQLALCHEMY_DATABASE_URI": scratch_url})
    with app.app_context():
        upgrade()
        engine = db.engine
        tables = set(inspect(engine).get_table_names())
        assert {t.name for t in db.metadata.sorted_tables} <= tables
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
        assert diff == [], f"models and migrations differ: {diff}"
        audit.record(None, "test.event", "test", 1, chain="341503")
        db.session.commit()
        with pytest.raises(DatabaseError):  # the migration installed the append-only guard
            db.session.execute(text("UPDATE audit_event SET reason = 'edited'"))
        db.session.rollback()
        downgrade(revision="base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        db.session.remove()
        engine.dispose()
    create_engine(scratch_url).dispose()
