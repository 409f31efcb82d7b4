"""gunicorn's access log never carries a whole ID number from a search URL (gunicorn.conf.py)."""

from __future__ import annotations

import io
import logging
import runpy
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

from gunicorn.config import Config

CONF = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"


def _access_line(settings: dict, environ: dict) -> str:
    cfg = Config()
    cfg.set("logger_class", settings["logger_class"])
    cfg.set("accesslog", "-")
    logger = settings["logger_class"](cfg)
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    logger.access_log.handlers = [handler]
    response = SimpleNamespace(status="200 OK", sent=1234, headers=[("Content-Type", "text/html")])
    request = SimpleNamespace(headers=[("Referer", environ.get("HTTP_REFERER", "-"))])
    logger.access(response, request, environ, timedelta(milliseconds=12))
    return out.getvalue()


def test_an_id_number_searched_for_is_masked_in_the_access_log():
    settings = runpy.run_path(str(CONF))
    line = _access_line(
        settings,
        {
            "REQUEST_METHOD": "GET",
            "RAW_URI": "/households?q=341503198108150011&village=",
            "PATH_INFO": "/households",
            "QUERY_STRING": "q=341503198108150011&village=",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "203.0.113.7",
            "HTTP_REFERER": "https://loanflow.example/households?q=34150319810815001X",
            "HTTP_USER_AGENT": "Mozilla/5.0",
        },
    )
    assert "GET /households?q=341503********0011&village= HTTP/1.1" in line
    assert "341503198108150011" not in line and "34150319810815001X" not in line
    assert "203.0.113.7" in line and " 200 " in line
