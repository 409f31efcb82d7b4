"""The one ``web`` blueprint every feature's pages join (endpoints ``web.<name>``)."""

from flask import Blueprint

bp = Blueprint("web", __name__)
