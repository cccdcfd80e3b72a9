"""A launched run's log lines (easel_trainer.logs): secrets masked, each line cut short, floods and repeats bounded,
errors always passed on."""

from __future__ import annotations

import asyncio
import logging

from easel_trainer.logs import MAX_CHARS, LogRelay, mask


def _relay(**kw) -> tuple[LogRelay, list]:
    sent = []

    async def publish(batch):
        sent.append(batch)

    return LogRelay("t1", publish, **kw), sent


def _logger(relay: LogRelay, name: str = "easel_trainer.loop") -> logging.Logger:
    """The run's logger, with the relay on the root logger (as the trainer's job puts it)."""
    logging.getLogger().addHandler(relay)
    for each in (name, "some.library"):
        logging.getLogger(each).setLevel(logging.INFO)
    return logging.getLogger(name)


def _drain(relay: LogRelay, sent: list) -> list:
    asyncio.run(relay.flush_now())
    return sent


def test_secrets_in_a_line_are_masked():
    line = mask("fetch s3://AKIAABCDEFGHIJKLMNOP:wJalrXUtnFEMI@minio:9000/b from "
                "https://x/y?X-Amz-Signature=abc123&a=1 "
                "with password=hunter2, api_key: sk-live-9 and Authorization: Bearer abc.def, seed "
                "SUAIBDPBAUTWCWBKIO6XHQNINK5FWJW4OHLXC3HQ2KFE4PEJUA44CNHTC4 key esk_1a2b3c4d_S3cretS3cret")
    for secret in ("wJalrXUtnFEMI", "AKIAABCDEFGHIJKLMNOP", "abc123", "hunter2", "sk-live-9", "abc.def",
                   "SUAIBDPBAUTWCWBKIO6XHQNINK5FWJW4OHLXC3HQ2KFE4PEJUA44CNHTC4", "S3cretS3cret"):
        assert secret not in line, (secret, line)
    assert "s3://***@minio:9000/b" in line and "a=1" in line, line


def test_lines_are_cut_masked_and_repeats_merged():
    relay, sent = _relay()
    log = _logger(relay)
    try:
        log.info("x" * 5000)
        log.info("token=%s", "t0ps3cret")
        for _ in range(5):
            log.warning("slow step")
        log.info("done")
        logging.getLogger("some.library").info("chatter")  # another library's INFO is left out
        logging.getLogger("some.library").warning("careful")
    finally:
        logging.getLogger().removeHandler(relay)
    lines = [line for batch in _drain(relay, sent) for line in batch.lines]
    texts = [line.text for line in lines]
    assert len(texts[0]) == MAX_CHARS
    assert texts[1] == "token=***"
    assert texts[2] == "slow step (repeated 4 more times)" and lines[2].level == "warning"
    assert texts[3:] == ["done", "some.library: careful"], texts
    assert all(batch.training_id == "t1" for batch in sent)


def test_a_flood_is_capped_and_counted_but_errors_pass():
    relay, sent = _relay(max_lines=50, rate=1000.0, burst=10_000)
    log = _logger(relay)
    try:
        for i in range(5000):
            log.info("line %d", i)
        log.error("training failed: boom")
    finally:
        logging.getLogger().removeHandler(relay)
    batches = _drain(relay, sent)
    lines = [line for batch in batches for line in batch.lines]
    assert len(lines) == 51 and lines[-1].text == "training failed: boom" and lines[-1].level == "error"
    assert sum(batch.dropped for batch in batches) == 4950
    assert all(len(batch.lines) <= 200 for batch in batches)


def test_a_burst_is_rate_limited():
    relay, sent = _relay(rate=0.0001, burst=20)
    log = _logger(relay)
    try:
        for i in range(300):
            log.info("line %d", i)
    finally:
        logging.getLogger().removeHandler(relay)
    batches = _drain(relay, sent)
    assert sum(len(b.lines) for b in batches) == 20 and sum(b.dropped for b in batches) == 280


def test_a_publish_that_fails_does_not_stop_the_run():
    async def publish(_batch):
        raise ConnectionError("nats is gone")

    relay = LogRelay("t1", publish)
    log = _logger(relay)
    try:
        log.info("one")
    finally:
        logging.getLogger().removeHandler(relay)
    asyncio.run(relay.flush_now())
