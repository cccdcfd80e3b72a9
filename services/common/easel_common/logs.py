"""Logging setup: one format, and API keys never reach a log line."""

from __future__ import annotations

import logging
import re

_KEY = re.compile(r"(esk_[A-Za-z0-9]{4,12}_)[A-Za-z0-9_-]+")
_REFRESH = re.compile(r"(esr_)[A-Za-z0-9_-]+")
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")


class RedactSecrets(logging.Filter):
    """Mask API key secrets, refresh tokens and access tokens that slip into a message."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "esk_" in message or "esr_" in message or "eyJ" in message:
            message = _JWT.sub("eyJ***", _REFRESH.sub(r"\1***", _KEY.sub(r"\1***", message)))
            record.msg, record.args = message, None
        return True


def configure_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactSecrets())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("nats", "botocore", "urllib3", "httpx", "aiosqlite", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
