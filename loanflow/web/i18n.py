"""Which language a page speaks: the user's choice (cookie), else Chinese."""

from flask import current_app, request


def select_locale() -> str:
    choice = request.args.get("lang") or request.cookies.get("lang")
    if choice in current_app.config["LANGUAGES"]:
        return choice
    return current_app.config["BABEL_DEFAULT_LOCALE"]
