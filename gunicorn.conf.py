"""gunicorn's settings for loanflow (read from the working directory, or ``gunicorn -c gunicorn.conf.py``).

The access log masks personal data: a search for a household by ID number puts the number in the
URL (``GET /households?q=341503198108150011``), and gunicorn writes request lines, referrers and
headers as they came. ``MaskedAccessLogger`` passes every one of those through the same masking as
the app's own log (``loanflow.core.logging.mask_text``): ``q=341503********0011``.
"""

from gunicorn.glogging import Logger

from loanflow.core.logging import mask_text

# Only the logger is set here: bind, workers and the access log's place stay on the command line
# (README, "Production"), e.g. ``gunicorn -w 4 -b 0.0.0.0:8000 --access-logfile - wsgi:app``.


class MaskedAccessLogger(Logger):
    """gunicorn's logger, with ID numbers and account numbers masked in every access-log atom."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: mask_text(value) if isinstance(value, str) else value for key, value in atoms.items()}


logger_class = MaskedAccessLogger
