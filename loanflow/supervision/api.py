"""/api/v1: the stalled queue, presses, spot checks, flags, the audit events and the home's numbers.

Every path is the supervisors': another role gets 403. The bodies are read after the checks that come
before them (404 → 403 → 409), so a bad body is the last refusal (422), as DOMAIN.md orders them.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, g
from flask_smorest import Blueprint

from loanflow.api.auth import login_required
from loanflow.api.common import PageArgs, load_body, page_size, paged
from loanflow.api.idempotency import idempotent
from loanflow.supervision import schemas as s
from loanflow.supervision.export import XLSX, stalled_xlsx
from loanflow.supervision.services import audit_trail, flags, presses, spot_checks, stalled, summary

blp = Blueprint(
    "supervision", __name__, description="Supervision (督察督办): stalled cases, presses, spot checks"
)

BINARY = {"type": "string", "format": "binary"}
BODIES = {
    "PressIn": s.PressIn,
    "SpotCheckIn": s.SpotCheckIn,
    "FindingIn": s.FindingIn,
    "ClosingIn": s.ClosingIn,
}


def _body_doc(name: str) -> dict:
    return {
        "requestBody": {"content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}}
    }


def _body(schema, precheck: Callable[[], object]) -> dict:
    """The JSON body, parsed only after the checks that come before a 422."""
    precheck()
    return load_body(schema)


def _filters(args: dict) -> stalled.Filters:
    return stalled.Filters(**{k: args[k] for k in ("product", "township", "village", "stage", "pressed")})


@blp.route("/stalled")
@login_required
@blp.arguments(s.StalledArgs, location="query")
@blp.response(200, s.StalledPage, description="The queue: JSON, or an xlsx workbook (``format=xlsx``)")
@blp.alt_response(
    200, schema=BINARY, success=True, content_type=XLSX, description="The filtered queue as xlsx"
)
def get_stalled(args):
    """Every stalled case of your region, most working days over first, with who must act."""
    if args["format"] == "xlsx":
        rows = stalled.all_stalled(g.user, _filters(args))
        return Response(
            stalled_xlsx(rows, "超期案件（限时办结）"),
            mimetype=XLSX,
            headers={"Content-Disposition": 'attachment; filename="stalled.xlsx"'},
        )
    rows, total = stalled.stalled_queue(g.user, _filters(args), args["page"], page_size(args))
    return paged(rows, total, args)


def _press(case_type: str, case_id: int):
    data = _body(s.PressIn, lambda: presses.check_press(g.user, case_type, case_id))
    return presses.with_numbers([presses.press_case(g.user, case_type, case_id, data["note"])])[0]


@blp.route("/loans/<int:loan_id>/press", methods=["POST"])
@login_required
@idempotent
@blp.doc(**_body_doc("PressIn"))
@blp.response(201, s.PressOut)
def press_loan(loan_id: int):
    """Press (督办) a waiting loan with a note: the officers who must act see it first in their queue."""
    return _press("loan", loan_id)


@blp.route("/subsidies/<int:case_id>/press", methods=["POST"])
@login_required
@idempotent
@blp.doc(**_body_doc("PressIn"))
@blp.response(201, s.PressOut)
def press_subsidy(case_id: int):
    """Press (督办) a waiting subsidy case with a note."""
    return _press("subsidy", case_id)


@blp.route("/presses")
@login_required
@blp.arguments(s.PressArgs, location="query")
@blp.response(200, s.PressPage)
def get_presses(args):
    """The presses of your region, newest first; ``answered`` filters open or answered ones."""
    rows, total = presses.presses(
        g.user, answered=args["answered"], page=args["page"], per_page=page_size(args)
    )
    return paged(rows, total, args)


@blp.route("/spot-checks", methods=["GET"])
@login_required
@blp.arguments(PageArgs, location="query")
@blp.response(200, s.SpotCheckPage)
def get_spot_checks(args):
    """The spot-check samples of your region, newest first, each with its progress."""
    rows, total = spot_checks.spot_checks(g.user, args["page"], page_size(args))
    return paged(rows, total, args)


@blp.route("/spot-checks", methods=["POST"])
@login_required
@idempotent
@blp.doc(**_body_doc("SpotCheckIn"))
@blp.response(201, s.SpotCheckOut)
def post_spot_check():
    """Draw a sample (暗访抽查): the same region, product, period, size and seed give the same cases."""
    data = _body(s.SpotCheckIn, lambda: stalled.require_supervisor(g.user))
    return spot_checks.draw_spot_check(g.user, data)


@blp.route("/spot-checks/<int:sample_id>")
@login_required
@blp.response(200, s.SpotCheckOut)
def get_spot_check(sample_id: int):
    """A sample: its inputs, its cases in the order drawn, their findings and its progress."""
    return spot_checks.get_spot_check(g.user, sample_id)


@blp.route("/spot-checks/<int:sample_id>/findings", methods=["POST"])
@login_required
@idempotent
@blp.doc(**_body_doc("FindingIn"))
@blp.response(201, s.SpotCheckOut)
def post_finding(sample_id: int):
    """Record the finding on a sampled case: ``fine``, or ``problem`` with a note."""
    data = _body(s.FindingIn, lambda: spot_checks.get_spot_check(g.user, sample_id))
    return spot_checks.record_finding(g.user, sample_id, data).spot_check


@blp.route("/spot-checks/<int:sample_id>/closings", methods=["POST"])
@login_required
@idempotent
@blp.doc(**_body_doc("ClosingIn"))
@blp.response(201, s.SpotCheckOut)
def post_closing(sample_id: int):
    """Close an open problem of a sample with a note of what was done."""
    data = _body(s.ClosingIn, lambda: spot_checks.get_spot_check(g.user, sample_id))
    return spot_checks.close_problem(g.user, sample_id, data).spot_check


@blp.route("/flags")
@login_required
@blp.arguments(s.FlagArgs, location="query")
@blp.response(200, s.FlagsOut)
def get_flags(args):
    """The flags (疑点) of your region, each with the cases behind it."""
    return {"items": flags.flags(g.user, args["kind"])}


@blp.route("/audit/events")
@login_required
@blp.arguments(s.EventArgs, location="query")
@blp.response(200, s.EventPage)
def get_events(args):
    """Audit events of your region by entity, actor, action and dates, newest first, personal data masked."""
    search = audit_trail.EventSearch(
        **{k: args[k] for k in ("entity", "entity_id", "actor", "action", "date_from", "date_to")}
    )
    rows, total = audit_trail.search_events(g.user, search, args["page"], page_size(args))
    return paged(rows, total, args)


@blp.route("/supervision/summary")
@login_required
@blp.response(200, s.SummaryOut)
def get_summary():
    """The supervisor's home in numbers: stalled, the most overdue, dead ends, open problems, open presses."""
    return summary.summary(g.user)
