"""Writing an import's rows in bulk: no ORM objects, one transaction (the caller commits).

PostgreSQL: the household ids are drawn from the table's sequence in one query,
then both tables are written with COPY. Elsewhere (SQLite): multi-row INSERTs
of 1,000 rows, households with RETURNING ids in parameter order. Each value
goes through its column type (Money → fen, JSON, UTC timestamps). A unique
ID number registered by someone else since the check becomes a 409 and
nothing is written.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from typing import Any

from sqlalchemy import JSON, insert, text
from sqlalchemy.exc import IntegrityError

from loanflow.core import clock, signals
from loanflow.core.errors import Conflict, msg
from loanflow.extensions import db
from loanflow.households.domain.register_rows import ParsedRegister
from loanflow.households.models import Household, Member, id_tail

CHUNK = 1000


def write_register(parsed: ParsedRegister) -> list[int]:
    """Bulk writes, no ORM objects: COPY on PostgreSQL, multi-row INSERTs with RETURNING elsewhere."""
    now = clock.now()
    try:
        if db.session.get_bind().dialect.name == "postgresql":
            ids = _copy_postgresql(parsed, now)
        else:
            ids = _insert_rows(parsed, now)
    except (IntegrityError, *_driver_integrity_errors()) as e:
        db.session.rollback()
        raise Conflict(
            msg(
                "导入期间有身份证号码被他人登记，未导入任何农户；请重新试运行后导入",
                "An ID number was registered by someone else meanwhile; nothing was imported. Dry-run again",
            )
        ) from e
    villages = {h.data["village_code"] for h in parsed.households}
    signals.places_written.send("household", village_codes=villages)  # no ORM flush sees these rows
    return ids


def _driver_integrity_errors() -> tuple[type[Exception], ...]:
    try:
        import psycopg
    except ImportError:  # pragma: no cover (SQLite-only installs)
        return ()
    return (psycopg.IntegrityError,)


def _insert_rows(parsed: ParsedRegister, now) -> list[int]:
    households, members = Household.__table__, Member.__table__
    ins_h = insert(households).returning(households.c.id, sort_by_parameter_order=True)
    all_ids: list[int] = []
    for i in range(0, len(parsed.households), CHUNK):
        chunk = parsed.households[i : i + CHUNK]
        ids = list(db.session.execute(ins_h, [_household_row(h.data, now) for h in chunk]).scalars())
        all_ids += ids
        member_rows = [
            _member_row(m, hid, h.data["village_code"])
            for h, hid in zip(chunk, ids, strict=True)
            for m in h.members
        ]
        db.session.execute(insert(members), member_rows)
    return all_ids


def _copy_postgresql(parsed: ParsedRegister, now) -> list[int]:
    """Ids drawn from the table's sequence in one query, then COPY: ~10× faster than INSERTs here."""
    conn = db.session.connection()
    ids = list(
        conn.execute(
            text("SELECT nextval(pg_get_serial_sequence('household', 'id')) FROM generate_series(1, :n)"),
            {"n": len(parsed.households)},
        ).scalars()
    )
    cursor = conn.connection.dbapi_connection.cursor()
    household_rows = (
        {"id": hid, **_household_row(h.data, now)} for h, hid in zip(parsed.households, ids, strict=True)
    )
    member_rows = (
        _member_row(m, hid, h.data["village_code"])
        for h, hid in zip(parsed.households, ids, strict=True)
        for m in h.members
    )
    with cursor:
        _copy(cursor, Household.__table__, household_rows, conn.dialect)
        _copy(cursor, Member.__table__, member_rows, conn.dialect)
    return ids


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _copy(cursor, table, rows: Iterator[dict[str, Any]], dialect) -> None:
    """COPY rows into ``table``, each value through its column type (Money → fen, JSON, UTC times)."""
    first = next(rows, None)
    if first is None:
        return
    columns = list(first)
    procs = [
        _json if isinstance(table.c[c].type, JSON) else table.c[c].type.bind_processor(dialect)
        for c in columns
    ]
    with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in itertools.chain([first], rows):
            copy.write_row([p(row[c]) if p else row[c] for c, p in zip(columns, procs, strict=True)])


def _household_row(d: dict[str, Any], now) -> dict[str, Any]:
    return {
        "village_code": d["village_code"],
        "address": d.get("address") or "",
        "status": d["status"],
        "status_reason": "",
        "status_document": "",
        "monitoring": d.get("monitoring") or "none",
        "monitoring_set_on": d.get("monitoring_set_on")
        if (d.get("monitoring") or "none") != "none"
        else None,
        "attribute": d["attribute"],
        "main_cause": d["main_cause"],
        "secondary_causes": list(d.get("secondary_causes") or []),
        "income_per_head": d["income_per_head"],
        "account_type": d["account_type"],
        "bank_account": d["bank_account"],
        "bank_name": d["bank_name"],
        "created_at": now,
        "updated_at": now,
        "version": 1,
    }


def _member_row(m: dict[str, Any], household_id: int, village_code: str) -> dict[str, Any]:
    return {
        "household_id": household_id,
        "village_code": village_code,
        "name": m["name"],
        "id_number": m.get("id_number"),
        "id_tail": id_tail(m.get("id_number")),
        "no_id_reason": m.get("no_id_reason") or "",
        "sex": m.get("sex"),
        "birth_date": m.get("birth_date"),
        "relation": m["relation"],
        "labour": m["labour"],
        "phone": m.get("phone") or "",
    }
