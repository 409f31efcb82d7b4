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

from flask import Flask, Request, Response, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface

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


_LOWER = [(name.lower(), name, value) for name, value in HEADERS.items()]


def security_headers(response: Response) -> Response:
    """Adds what the answer does not set itself (one pass over its headers: werkzeug's ``setdefault``
    and ``set`` scan them again for each name, ~20 µs an answer, issue 14)."""
    headers = response.headers
    present = {name.lower() for name in headers.keys()}
    for lower, name, value in _LOWER:
        if lower not in present:
            headers.add(name, value)
    if request.endpoint != "static":
        if "cache-control" in present or "expires" in present:
            headers["Cache-Control"] = "no-store"
            headers.pop("Expires", None)
        else:
            headers.add("Cache-Control", "no-store")
    if request.is_secure and "strict-transport-security" not in present:
        headers.add("Strict-Transport-Security", "max-age=31536000")
    return response


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions; a request that brings no session cookie (every API call with a
    bearer token) gets an empty session without its signer being built: Flask builds it at every
    request, and itsdangerous serialises an empty dict to build it (~20 µs, issue 14). Saving a session
    that was written builds it as before."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)


def init_app(app: Flask) -> None:
    app.after_request(security_headers)
    app.session_interface = CookieSessions()
