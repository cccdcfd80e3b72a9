"""Logging setup: one format, and API keys never reach a log line."""

from __future__ import annotations

import logging
import re

_SECRET = re.compile(r"(esk_[A-Za-z0-9]{4,12}_)[A-Za-z0-9_-]+")


class RedactSecrets(logging.Filter):
    """Mask the secret part of any API key that slips into a message."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "esk_" in message:
            record.msg, record.args = _SECRET.sub(r"\1***", message), None
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
