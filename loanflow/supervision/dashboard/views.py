"""The dashboard page (督查看板) and the monthly report's download (月报), for supervisors."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Response, render_template, request
from flask_babel import lazy_gettext
from flask_login import current_user, login_required

from loanflow.core.errors import Invalid, msg
from loanflow.supervision.dashboard import report, services, tables
from loanflow.web.blueprint import bp
from loanflow.web.present import lang

POSITION = 60
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _day(name: str) -> date | None:
    raw = request.args.get(name, "").strip()
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        raise Invalid({name: [msg("须为 YYYY-MM-DD 格式的日期", "must be a date as YYYY-MM-DD")]}) from None


@bp.route("/supervision/dashboard")
@login_required
def dashboard():
    """The numbers of the county or a township for a period: charts with their tables beside them."""
    figures = services.dashboard(current_user, request.args.get("region") or None, _day("from"), _day("to"))
    return render_template(
        "supervision/dashboard/page.html",
        d=figures,
        data=tables.everything(figures, lang()),
        regions=services.regions_for(current_user),
    )


@bp.route("/supervision/reports/monthly")
@login_required
def monthly_report():
    """The month's report (月报) as xlsx, for the supervisor's region."""
    monthly = report.monthly_report(current_user, request.args.get("month", "").strip())
    name = f"monthly-{monthly.region_code}-{monthly.month}.xlsx"
    return Response(
        report.report_xlsx(monthly),
        mimetype=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def menu_entries(user: Any, **_kwargs: Any) -> list[tuple] | None:
    """``menu_entries``: the dashboard, for supervisors."""
    if user is None or user.role != "supervisor":
        return None
    return [(POSITION, "web.dashboard", lazy_gettext("Dashboard"))]
