"""A launched run's log lines, published as training events so whoever may follow the training can read them.

`LogRelay` is a logging handler: it keeps the lines the run logs (easel's at INFO and up, every other library's
warnings and errors, Python warnings), masks what looks like a secret, cuts each line to MAX_CHARS, merges a line
repeated in a row into one, and hands them in batches to a publisher (`{ns}.trainings.events.{id}.run.log`, with
the run's lease) about once a second. It is bounded: at most RATE lines a second (BURST at once) and MAX_LINES
lines in all; what is left out is counted in the next batch's `dropped`. Errors skip the rate limit and have
ERROR_LINES of their own past the cap, so a failed run's error always reaches its followers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import threading
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from easel_proto.v1.trainings import TrainingLogEvent, TrainingLogLine

MAX_CHARS = 500
MAX_LINES = 2000
ERROR_LINES = 100
RATE = 20.0
BURST = 100
BATCH = 200
FLUSH_S = 1.0
OWN = ("easel",)  # loggers whose INFO lines are passed on; others pass WARNING and up
SKIPPED = ("nats", "easel_trainer.logs")  # the publisher's own client: logging its lines would feed itself

_SECRETS = [
    (re.compile(r"(\b[a-z][a-z0-9+.-]*://)[^/\s@]+@", re.I), r"\1***@"),  # credentials in a URL
    (re.compile(r"([?&][^=&\s]*(?:key|token|secret|signature|credential|password|auth)[^=&\s]*=)[^&\s]+", re.I),
     r"\1***"),
    (re.compile(r"\b(bearer|basic)\s+[\w.~+/=-]+", re.I), r"\1 ***"),
    (re.compile(r"\b([\w-]*(?:password|passwd|secret|token|api[_-]?key|access[_-]?key|seed|credentials?)[\w-]*)"
                r"(\"?\s*[=:]\s*)(\"?)[^\s\"',;&]+", re.I), r"\1\2\3***"),
    (re.compile(r"\beyJ[\w-]+\.[\w-]+\.[\w-]*"), "***"),  # a JWT
    (re.compile(r"\b(esk_[A-Za-z0-9]{4,12}_|esr_)[\w-]+"), r"\1***"),  # an Easel API key, a refresh token
    (re.compile(r"\bS[ACNOPUX][A-Z2-7]{56}\b"), "***"),  # an nkey seed
    (re.compile(r"\b(?:AKIA|ASIA)[A-Z0-9]{16}\b"), "***"),  # an AWS access key id
]
_LEVELS = {logging.DEBUG: "debug", logging.INFO: "info", logging.WARNING: "warning"}


def mask(text: str) -> str:
    """The text with anything that looks like a secret (a URL's credentials, a key, a token, a seed) as ***."""
    for pattern, repl in _SECRETS:
        text = pattern.sub(repl, text)
    return text


def clip(text: str) -> str:
    text = text.replace("\r", "").rstrip()
    if len(text) > MAX_CHARS:
        text = text[:MAX_CHARS - 1] + "…"
    return text


class LogRelay(logging.Handler):
    """Keeps the run's log lines and publishes them in batches (`run()` on the event loop, `flush_now()` at the
    end and before the run's failed event)."""

    def __init__(self, training_id: str, publish: Callable[[TrainingLogEvent], Awaitable[None]], *,
                 max_lines: int = MAX_LINES, rate: float = RATE, burst: int = BURST) -> None:
        super().__init__(level=logging.INFO)
        self.training_id, self.publish = training_id, publish
        self.max_lines, self.rate, self.burst = max_lines, rate, burst
        self.pending: list[TrainingLogLine] = []
        self.repeats = 0  # how many times the last pending line came again in a row
        self.dropped = 0
        self.kept = self.errors = 0
        self.tokens, self.refilled = float(burst), time.monotonic()
        self.guard = threading.Lock()
        self.sending = asyncio.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        name = record.name
        if name.startswith(SKIPPED) or (record.levelno < logging.WARNING and not name.startswith(OWN)):
            return
        try:
            text = record.getMessage()
            if record.exc_info and record.exc_info[1] is not None:
                text += f" ({type(record.exc_info[1]).__name__}: {record.exc_info[1]})"
            text = clip(mask(f"{name}: {text}" if not name.startswith(OWN) else text))
        except Exception:  # a line that cannot be formatted is left out, the run goes on
            return
        level = _LEVELS.get(record.levelno, "error") if record.levelno < logging.ERROR else "error"
        with self.guard:
            if self.pending and self.pending[-1].text == text and self.pending[-1].level == level:
                self.repeats += 1
                return
            if not self._admit(level):
                self.dropped += 1
                return
            self._close_repeats()
            self.pending.append(TrainingLogLine(at=datetime.fromtimestamp(record.created, UTC), level=level,
                                                text=text))

    def _admit(self, level: str) -> bool:
        if level == "error":
            self.errors += 1
            return self.errors <= ERROR_LINES
        if self.kept >= self.max_lines:
            return False
        now = time.monotonic()
        self.tokens = min(float(self.burst), self.tokens + (now - self.refilled) * self.rate)
        self.refilled = now
        if self.tokens < 1.0:
            return False
        self.tokens -= 1.0
        self.kept += 1
        return True

    def _close_repeats(self) -> None:
        if self.repeats and self.pending:
            last = self.pending[-1]
            last.text = clip(f"{last.text} (repeated {self.repeats} more times)")
        self.repeats = 0

    def take(self) -> TrainingLogEvent | None:
        """The next batch to publish (None when there is nothing new)."""
        with self.guard:
            if not self.pending and not self.dropped:
                return None
            if len(self.pending) <= BATCH:
                self._close_repeats()
            lines, self.pending = self.pending[:BATCH], self.pending[BATCH:]
            dropped, self.dropped = self.dropped, 0
        return TrainingLogEvent(training_id=self.training_id, lines=lines, dropped=dropped)

    async def flush_now(self) -> None:
        """Publish every line kept so far (a line that cannot be published is lost: the run goes on)."""
        async with self.sending:
            while (batch := self.take()) is not None:
                try:
                    await self.publish(batch)
                except Exception:
                    return

    async def run(self) -> None:
        while True:
            await asyncio.sleep(FLUSH_S)
            with contextlib.suppress(Exception):
                await self.flush_now()
