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

import importlib

from flask import Blueprint

bp = Blueprint("web", __name__)

from loanflow.web import auth, errors, households, pages  # noqa: E402,F401  (routes register on bp)

# Case pages come with their services; a checkout without them still serves the rest.
for _service, _pages in (
    ("loanflow.services.loans", "loanflow.web.loans"),
    ("loanflow.services.subsidies", "loanflow.web.subsidies"),
):
    try:
        importlib.import_module(_service)
        importlib.import_module(_pages)
    except ModuleNotFoundError as e:
        if e.name not in (_service, _pages):
            raise


@bp.app_context_processor
def _template_globals():
    from flask_babel import get_locale

    from loanflow.web.present import HELPERS

    return {"get_locale": get_locale, **HELPERS}
