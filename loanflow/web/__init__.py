"""The HTML pages: Chinese by default, English on request.

Language: message ids are English; the Chinese catalog
(``loanflow/translations/zh/LC_MESSAGES/messages.po``, compiled ``.mo``
committed beside it) gives the default pages their words. Code labels
(states, causes, roles) come from ``domain.labels`` and service messages
carry both languages, so the catalog only holds the pages' own words.
After changing a page's wording: ``pybabel extract -F babel.cfg -o messages.pot .``,
``pybabel update -i messages.pot -d loanflow/translations``, translate, ``pybabel compile
-d loanflow/translations``.

The features put their pages on this one ``web`` blueprint (endpoints
``web.<name>``) by importing their ``views`` in their ``init_app``; ``init_web``
registers it after them, because a blueprint takes no routes once registered.
"""

from flask import Flask

from loanflow.web import errors, forms, pages  # noqa: F401  (their routes and handlers join the blueprint)
from loanflow.web.blueprint import bp


@bp.app_context_processor
def _template_globals():
    from flask_babel import get_locale

    from loanflow.web.lookups import by_township
    from loanflow.web.present import HELPERS

    return {"get_locale": get_locale, "village_groups": by_township, **HELPERS}


def init_web(app: Flask) -> None:
    """Register the pages, once every feature has added its own (``create_app`` calls it last)."""
    from loanflow.web import security

    app.register_blueprint(bp)
    security.init_app(app)  # CSP, nosniff, frame-ancestors, referrer policy, no-store: every answer
