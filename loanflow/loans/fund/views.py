"""The county fund's page (风险补偿金): balance, leverage in use, headroom; its ledger; the admin's deposits."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from loanflow.core.errors import Invalid
from loanflow.loans.fund import services as fund
from loanflow.web.blueprint import bp
from loanflow.web.forms import date_field, money_field, refused


def _page(values: dict, errors: dict):
    view = fund.fund_view(current_user)
    in_use = view.outstanding_principal + view.committed
    leverage_used = (in_use / view.balance) if view.balance > 0 else None
    page = render_template(
        "loans/fund.html",
        view=view,
        in_use=in_use,
        leverage_used=leverage_used,
        values=values,
        errors=errors,
        may_deposit=current_user.role == "admin",
    )
    return page, 422 if errors else 200


@bp.route("/fund")
@login_required
def fund_page():
    """The fund of the user's county: what it holds, what it backs, what more it may back."""
    return _page({}, {})


@bp.route("/fund/deposits", methods=["POST"])
@login_required
def fund_deposit():
    """The admin records money paid into the fund, with its document reference."""
    fund.require_depositor(current_user)  # the role before the form (403 before 422)
    values, data, errors = {}, {}, {}
    money_field(request.form, "amount", values, data, errors)
    date_field(request.form, "date", values, data, errors, required=True)
    values["reference"] = data["reference"] = (request.form.get("reference") or "").strip()
    try:
        if errors:
            raise Invalid(errors)
        fund.deposit(
            current_user, current_user.region_code[:6], data["amount"], data["date"], data["reference"]
        )
    except Invalid as e:
        return _page(values, refused(e))
    flash(_("Deposit recorded."), "ok")
    return redirect(url_for("web.fund_page"))
