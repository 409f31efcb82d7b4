"""The HTML pages: Chinese by default, English on request."""

from flask import Blueprint

bp = Blueprint("web", __name__)

from loanflow.web import auth, pages  # noqa: E402,F401  (routes register on bp)


@bp.app_context_processor
def _template_globals():
    from flask_babel import get_locale

    return {"get_locale": get_locale}
