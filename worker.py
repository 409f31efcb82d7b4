"""The background worker's entry point: ``huey_consumer worker.huey`` (settings from the environment).

It builds the app as ``wsgi.py`` does, so the tasks run against the same
database and queue, and loads the periodic jobs (``loanflow.periodic``).
"""

from loanflow import create_app, periodic  # noqa: F401  (periodic: the jobs it runs on its clock)
from loanflow.core.tasks import huey  # noqa: F401  (what huey_consumer runs)

app = create_app()
