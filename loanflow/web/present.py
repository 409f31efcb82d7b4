"""What templates may call: labels, messages and money in the page's language, masking, dates.

Presentation only; who may see what whole comes from ``services.permissions``.
"""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlencode

from flask import request, url_for
from flask_babel import format_date, format_datetime, get_locale, lazy_gettext
from flask_login import current_user

from loanflow.core import clock, signals
from loanflow.core.domain.idcard import mask_account, mask_id_number, mask_phone
from loanflow.core.domain.labels import codes, label
from loanflow.core.domain.money import format_money
from loanflow.core.errors import text
from loanflow.core.scope import can_edit_household
from loanflow.core.signals import contributions, menu_entries


def lang() -> str:
    """The page's language: ``zh`` or ``en``."""
    return "en" if str(get_locale() or "zh").startswith("en") else "zh"


def code_label(kind: str, code: str | None) -> str:
    return label(kind, code, lang()) if code else ""


def code_options(kind: str) -> list[tuple[str, str]]:
    """(code, label) pairs for a select, in the order of the product spec."""
    return [(c, label(kind, c, lang())) for c in codes(kind)]


def message(m) -> str:
    """A service message (``Reason``, ``Msg`` or plain text) in the page's language."""
    return text(m, lang())


def money(value) -> str:
    """An amount as the pages show it: ``50,000.00``."""
    if value is None or value == "":
        return ""
    return f"{Decimal(format_money(Decimal(value))):,.2f}"


def id_number(value: str | None, whole: bool) -> str:
    if not value:
        return ""
    return value if whole else mask_id_number(value)


def account(value: str | None, whole: bool) -> str:
    if not value:
        return ""
    return value if whole else mask_account(value)


def phone(value: str | None, whole: bool) -> str:
    if not value:
        return ""
    return value if whole else mask_phone(value)


def day(value) -> str:
    return format_date(value, "yyyy-MM-dd") if value else ""


def moment(value) -> str:
    return format_datetime(value, "yyyy-MM-dd HH:mm") if value else ""


HELPERS = {
    "lang": lang,
    "code_label": code_label,
    "code_options": code_options,
    "message": message,
    "money": money,
    "id_number": id_number,
    "account": account,
    "phone": phone,
    "day": day,
    "moment": moment,
}


HOUSEHOLD_EVENTS = {
    "household.register": lazy_gettext("Household registered"),
    "household.update": lazy_gettext("Household changed"),
    "household.import": lazy_gettext("Households imported"),
    "household.account_change_requested": lazy_gettext("Bank account change requested"),
    "household.account_change_confirmed": lazy_gettext("Bank account change confirmed"),
    "household.account_change_rejected": lazy_gettext("Bank account change rejected"),
    "document.issue": lazy_gettext("Document issued"),
}
CASE_EVENT_KINDS = {"loan": "loan_action", "subsidy": "subsidy_action", "supervision": "supervision_action"}


def event_label(action: str) -> str:
    """An audit action (``loan.rate``, ``household.update``) as the timeline shows it."""
    if action in HOUSEHOLD_EVENTS:
        return str(HOUSEHOLD_EVENTS[action])
    area, _, name = action.partition(".")
    kind = CASE_EVENT_KINDS.get(area)
    if kind:
        return (
            label(kind, name.replace("_", "-"), lang())
            if name.replace("_", "-") in codes(kind)
            else (label(kind, name, lang()))
        )
    return action


def nav_links() -> list[tuple[str, str]]:
    """The menu entries the features contribute (``core.signals.menu_entries``), in their order."""
    user = current_user._get_current_object() if current_user.is_authenticated else None
    return [(e, str(t)) for _position, e, t in contributions(menu_entries.send(user), many=True)]


def household_actions(h) -> list[tuple[str, str]]:
    """The applications a user may open from a household's page (a clerk of its region)."""
    if not can_edit_household(current_user, h):
        return []
    return [(e, str(t)) for _position, e, t in contributions(signals.household_actions.send(h), many=True)]


def case_notices(case_type: str, case) -> list[tuple[str, str]]:
    """What the features say on a case's page above its actions (``core.signals.case_notices``)."""
    user = current_user._get_current_object()
    sent = signals.case_notices.send(case_type, case=case, user=user)
    return [(kind, message(m)) for _position, kind, m in contributions(sent, many=True)]


def _this_list(drop: tuple[str, ...] = (), **set_: object) -> str:
    """This page's address with some query parameters dropped or set; every other one kept as given.

    Built from the path, not ``url_for``: a hand-edited address (``?endpoint=x``, ``?_method=…``, a
    filter given twice) must come back as it was, never break the link (a 500).
    """
    args = {k: v for k, v in request.args.lists() if k not in drop and k not in set_}
    args.update({k: [str(v)] for k, v in set_.items()})
    query = urlencode(args, doseq=True)
    return f"{request.path}?{query}" if query else request.path


def page_url(page: int) -> str:
    """This list again at another page, with the same filters."""
    return _this_list(page=page)


def sort_url(key: str) -> str:
    """This list sorted by ``key``: ascending first, descending when it already is ascending; page 1."""
    return _this_list(("page",), sort=f"-{key}" if request.args.get("sort") == key else key)


def sort_state(key: str) -> str:
    """``ascending``/``descending`` when the list is sorted by ``key`` (for ``aria-sort``), else ``none``."""
    current = request.args.get("sort", "")
    return "ascending" if current == key else "descending" if current == f"-{key}" else "none"


def without_url(*params: str) -> str:
    """This list without the filter ``params`` (a filter chip's ✕); page 1, the sort kept."""
    return _this_list((*params, "page"))


def nav_current(endpoint: str) -> bool:
    """Whether a menu entry is where the user is: its page or one below it (``/loans`` for ``/loans/7``)."""
    path, target = request.path.rstrip("/"), url_for(endpoint).rstrip("/")
    if not target:  # the home (the work queue), and the pages of its sections
        return path == "" or request.endpoint == "web.queue_section"
    return path == target or path.startswith(target + "/") or path.startswith(target + ".")


SYSTEM_REASONS = {"daily sweep": lazy_gettext("daily overdue check"), "demo": lazy_gettext("demo data")}


def count_text(n) -> str:
    """A list's count as the pages show it: ``1,050``, or ``1,050+`` when the count stopped there
    (``core.paging.Count.capped``)."""
    return f"{int(n):,}" + ("+" if getattr(n, "capped", False) else "")


def event_actor(e) -> str:
    """Who took a timeline's step: the person's name, or "the system" for the daily jobs."""
    if e.role == "system" or e.actor_id is None and e.actor == "system":
        return str(lazy_gettext("System"))
    return e.actor_name or e.actor


def event_reason(e) -> str:
    """The reason recorded with a step; the system's own reasons in the page's language."""
    return str(SYSTEM_REASONS[e.reason]) if e.reason in SYSTEM_REASONS else e.reason


HELPERS.update(
    count_text=count_text,
    sort_url=sort_url,
    sort_state=sort_state,
    without_url=without_url,
    nav_current=nav_current,
    event_actor=event_actor,
    event_reason=event_reason,
    case_notices=case_notices,
    event_label=event_label,
    nav_links=nav_links,
    household_actions=household_actions,
    page_url=page_url,
    business_date=clock.today,
)
