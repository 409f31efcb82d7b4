"""Security headers on every answer (pages, the API, files): DOMAIN.md, "The HTTP API".

- CSP: scripts, styles, fonts and images from this site only; no inline script or style attribute
  (the templates have none: behaviour and looks live in ``static/``), no plugins, no ``<base>``,
  forms post here only, and no other site may frame a page (``frame-ancestors 'none'``, and
  ``X-Frame-Options`` for older browsers).
- ``nosniff``: a served file is what its content type says (a CSV is never run as a script).
- ``Referrer-Policy: same-origin``: another site never learns a page's address (a household's
  id, a search for an ID number); our own forms still send it, which Flask-WTF's CSRF check
  needs over HTTPS.
- ``Cache-Control: no-store`` on everything but the static files: the pages and answers carry
  personal data, which must not stay in a shared or browser cache after logout.
- ``Strict-Transport-Security`` once the request came over TLS (directly or through a trusted proxy).
"""

from __future__ import annotations

from flask import Flask, Response, request

CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def security_headers(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if request.endpoint != "static":
        response.headers["Cache-Control"] = "no-store"
        response.headers.pop("Expires", None)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


def init_app(app: Flask) -> None:
    app.after_request(security_headers)
