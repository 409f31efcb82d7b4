"""GET /api/v1/dashboard and GET /api/v1/reports/monthly (supervisors)."""

from __future__ import annotations

from flask import Response, g
from flask_smorest import Blueprint

from loanflow.api.auth import login_required
from loanflow.api.errors import language
from loanflow.supervision.dashboard import report, services, tables
from loanflow.supervision.dashboard.schemas import DashboardArgs, DashboardOut, MonthArgs

blp = Blueprint("dashboard", __name__, description="Supervision: the dashboard and the monthly report")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@blp.route("/dashboard")
@login_required
@blp.arguments(DashboardArgs, location="query")
@blp.response(200, DashboardOut)
def get_dashboard(args):
    """The county's or a township's numbers for a period (督查看板): the page's charts as JSON."""
    figures = services.dashboard(g.user, args["region"], args["from_"], args["to"])
    return tables.everything(figures, language())


@blp.route("/reports/monthly")
@login_required
@blp.arguments(MonthArgs, location="query")
@blp.response(200, {"type": "string", "format": "binary"}, content_type=XLSX, description="The 月报 workbook")
def get_monthly_report(args):
    """The month's report per township with a totals row (月报), as xlsx."""
    monthly = report.monthly_report(g.user, args["month"])
    name = f"monthly-{monthly.region_code}-{monthly.month}.xlsx"
    return Response(
        report.report_xlsx(monthly),
        mimetype=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
