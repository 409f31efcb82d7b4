"""Export of the household register in the import layout, streaming (openpyxl write-only, csv).

ID numbers and accounts are whole for the roles whose work needs them
(``can_see_full_identity``: clerk, bank officer, approver) and masked for the
others (supervisor: ``110105********002X``, ``***************1234``); a masked
export does not re-import. An admin sees no households and may not export.
Rows are read with ``yield_per`` (a server-side cursor on PostgreSQL), never
as ORM objects.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from sqlalchemy import select

from loanflow.accounts.models import User
from loanflow.core.domain.idcard import mask_account, mask_id_number, mask_phone
from loanflow.core.errors import Forbidden, Invalid, msg
from loanflow.core.regions import Region
from loanflow.core.scope import can_see_full_identity, code_prefix, village_filter
from loanflow.extensions import db
from loanflow.households.domain.register_layout import export_row
from loanflow.households.models import Household, Member
from loanflow.households.register_files import FORMATS, write_csv, write_xlsx
from loanflow.households.services import matching


@dataclass
class ExportResult:
    format: str
    households: int
    members: int
    masked: bool


def export_households(
    actor: User,
    out: IO[bytes],
    fmt: str = "xlsx",
    village: str | None = None,
    *,
    q: str | None = None,
    household_ids: list[int] | None = None,
) -> ExportResult:
    """Write the households the caller may see to ``out``, streaming, in the import layout; ``q`` (and
    ``household_ids``, from a case number) narrow it to a searched list, as the household list shows it."""
    if fmt not in FORMATS:
        raise Invalid({"format": [msg("格式应为 xlsx 或 csv", "The format is xlsx or csv")]})
    if actor.role == "admin":
        raise Forbidden(msg("系统管理员不能导出农户数据", "An administrator may not export households"))
    masked = not can_see_full_identity(actor)
    counts = {"households": 0, "members": 0}
    rows = _export_rows(actor, village, masked, counts, q, household_ids)
    (write_xlsx if fmt == "xlsx" else write_csv)(rows, out)
    return ExportResult(fmt, counts["households"], counts["members"], masked)


def _export_rows(
    actor: User,
    village: str | None,
    masked: bool,
    counts: dict[str, int],
    q: str | None = None,
    household_ids: list[int] | None = None,
) -> Iterator[list[Any]]:
    h, m = Household.__table__.c, Member.__table__.c
    names = dict(db.session.execute(select(Region.code, Region.name).where(Region.level == "village")).all())
    stmt = (
        select(
            h.id,
            h.village_code,
            h.address,
            h.status,
            h.monitoring,
            h.monitoring_set_on,
            h.attribute,
            h.main_cause,
            h.secondary_causes,
            h.income_per_head,
            h.account_type,
            h.bank_account,
            h.bank_name,
            m.name,
            m.id_number,
            m.no_id_reason,
            m.relation,
            m.labour,
            m.phone,
        )  # fmt: skip
        .join_from(Household.__table__, Member.__table__, m.household_id == h.id)
        .where(village_filter(actor, h.village_code))
        .order_by(h.id, m.id)
    )
    if village:
        stmt = stmt.where(code_prefix(h.village_code, village))
    if q:
        stmt = stmt.where(matching(q, h.id, household_ids, actor))
    last = None
    mask_id = mask_id_number if masked else None
    mask_acct = mask_account if masked else None
    mask_tel = mask_phone if masked else None
    for row in db.session.execute(stmt, execution_options={"yield_per": 2000}).mappings():
        if row["id"] != last:
            counts["households"] += 1
            last = row["id"]
        counts["members"] += 1
        yield export_row(row, row, names.get(row["village_code"], ""), mask_id, mask_acct, mask_tel)
