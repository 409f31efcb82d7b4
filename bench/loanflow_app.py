"""loanflow as ``wsgi.py`` builds it, for the HTTP benchmark; ``BENCH_DOCUMENTS=0`` turns off the
documents a step issues (rendered after the commit, 100–250 ms each), which the bare app does not do."""

import os

from config import Config
from loanflow import create_app

app = create_app(Config, {"ISSUE_DOCUMENTS_ON_ACTIONS": os.environ.get("BENCH_DOCUMENTS", "1") != "0"})
