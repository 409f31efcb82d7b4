"""The WSGI entry point: ``gunicorn wsgi:app`` (settings from the environment)."""

from loanflow import create_app

app = create_app()
