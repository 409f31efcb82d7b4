"""Every log line names its request: the id the client sent (or a new one), echoed on the response."""

from __future__ import annotations

import logging

from flask import current_app

from loanflow.core.logging import MaskingFormatter


def test_a_record_logged_during_a_request_carries_the_request_id_the_response_echoes(app, client, caplog):
    assert client.get("/login", headers={"X-Request-Id": "req-7f3a"}).headers["X-Request-Id"] == "req-7f3a"
    with app.test_request_context("/households", headers={"X-Request-Id": "req-7f3a"}):
        app.preprocess_request()  # the request's before-request hooks: its id is read here
        with caplog.at_level(logging.WARNING, logger=app.logger.name):
            current_app.logger.warning("looking at household 341503198108150011")
    record = next(rec for rec in caplog.records if "looking at household" in rec.getMessage())
    assert record.request_id == "req-7f3a"
    line = MaskingFormatter().format(record)
    assert "[req-7f3a]" in line and "341503********0011" in line and "198108150011" not in line


def test_a_request_without_an_id_gets_a_new_one_and_a_record_outside_a_request_says_so(app, client, caplog):
    r = client.get("/login")
    assert len(r.headers["X-Request-Id"]) == 32
    with caplog.at_level(logging.WARNING, logger=app.logger.name):
        app.logger.warning("from a command")
    assert caplog.records[-1].request_id == "-"
