"""Keys and tokens never reach a log line."""

from __future__ import annotations

import logging

from easel_common.logs import configure_logging


def test_an_api_key_in_a_log_message_is_masked(capsys):
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    configure_logging("INFO")
    try:
        _log_and_check(capsys)
    finally:
        root.handlers[:], root.level = saved[0], saved[1]


def _log_and_check(capsys):
    key = "esk_1a2b3c4d_S3cretS3cretS3cretS3cretS3cret"
    refresh = "esr_R3freshR3freshR3freshR3fresh"
    access = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.S1gnatureS1gnature"
    logging.getLogger("easel.test").info("request with key %s, refresh %s, token %s failed", key, refresh, access)
    err = capsys.readouterr().err
    assert "esk_1a2b3c4d_***" in err and "esr_***" in err and "eyJ***" in err
    assert "S3cret" not in err and "R3fresh" not in err and "S1gnature" not in err
