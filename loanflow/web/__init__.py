"""The HTML pages: Chinese by default, English on request.

Language: message ids are English; the Chinese catalog
(``loanflow/translations/zh/LC_MESSAGES/messages.po``, compiled ``.mo``
committed beside it) gives the default pages their words. Code labels
(states, causes, roles) come from ``domain.labels`` and service messages
carry both languages, so the catalog only holds the pages' own words.
After changing a page's wording: ``pybabel extract -F babel.cfg -o messages.pot .``,
``pybabel update -i messages.pot -d loanflow/translations``, translate, ``pybabel compile
-d loanflow/translations``.
"""

from flask import Blueprint

bp = Blueprint("web", __name__)

from loanflow.accounts import views as auth  # noqa: E402,F401
from loanflow.documents import views as documents  # noqa: E402,F401
from loanflow.households import views as households  # noqa: E402,F401
from loanflow.loans import views as loans  # noqa: E402,F401
from loanflow.subsidies import views as subsidies  # noqa: E402,F401
from loanflow.web import errors, pages  # noqa: E402,F401


@bp.app_context_processor
def _template_globals():
    from flask_babel import get_locale

    from loanflow.web.present import HELPERS

    return {"get_locale": get_locale, **HELPERS}
