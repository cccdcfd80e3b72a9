"""A training's log on the embedded stack: the trainer publishes its lines as `run.log` events, its owner reads them
(GET /v1/trainings/{id}/logs, the SSE `log` events), nobody else does, and a flood is bounded."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pytest

from easel_proto.naming import LEASE_HEADER, Names
from easel_proto.v1.trainings import TrainingLogEvent, TrainingLogLine, TrainingRun
from easel_proto.wire import encode, now
from easel_trainer.logs import BURST, RATE, LogRelay
from helpers import wait_for
from training_helpers import follow, new_dataset, trainer_user, training_body, until_training


@pytest.fixture(scope="module")
async def owner(api, admin_headers):
    return await trainer_user(api, admin_headers)


@pytest.fixture(scope="module")
async def dataset(api, owner):
    return await new_dataset(api, owner["headers"])


async def test_the_owner_reads_the_trainers_lines_live_and_after_and_nobody_else_does(api, admin_headers, owner,
                                                                                    dataset):
    r = await api.post("/v1/trainings", json=training_body("lora", dataset["id"]), headers=owner["headers"])
    assert r.status_code == 201, r.text
    training = r.json()
    seen = await follow(api, training["id"], owner["headers"])
    assert seen[-1][0] == "succeeded", seen[-1]
    live = [line for name, data in seen if name == "log" for line in data["lines"]]
    assert any(line["text"].startswith("step 1/12: loss") for line in live), live

    r = await api.get(f"/v1/trainings/{training['id']}/logs", headers=owner["headers"])
    assert r.status_code == 200, r.text
    logs = r.json()
    texts = [e["text"] for e in logs["entries"]]
    assert any(t.startswith("step 1/12: loss") for t in texts) and any(t.startswith("step 12/12") for t in texts)
    assert {e["level"] for e in logs["entries"]} <= {"debug", "info", "warning", "error"}
    assert logs["lines"] == [f"{e['level'].upper()} {e['text']}" for e in logs["entries"]]
    # paging: the last line only, then nothing after the cursor
    tail = (await api.get(f"/v1/trainings/{training['id']}/logs?lines=1", headers=owner["headers"])).json()
    assert tail["entries"] == logs["entries"][-1:] and tail["cursor"] == logs["cursor"] > 0
    after = (await api.get(f"/v1/trainings/{training['id']}/logs?after={logs['cursor']}",
                           headers=owner["headers"])).json()
    assert after["entries"] == [] and after["cursor"] == logs["cursor"]
    first = (await api.get(f"/v1/trainings/{training['id']}/logs?after=1&lines=1", headers=owner["headers"])).json()
    assert first["entries"][0] == logs["entries"][0] and first["cursor"] == logs["entries"][0]["seq"]
    r = await api.get(f"/v1/trainings/{training['id']}/logs?after=-1", headers=owner["headers"])
    assert r.status_code == 422 and "after" in r.text

    other = await trainer_user(api, admin_headers)
    for path in ("logs", "logs?after=1", "events"):
        r = await api.get(f"/v1/trainings/{training['id']}/{path}", headers=other["headers"])
        assert r.status_code == 404, (path, r.text)
    # the tenant's admin (jobs:read:any) may read it, as the training itself
    assert (await api.get(f"/v1/trainings/{training['id']}/logs", headers=admin_headers)).json()["entries"]


async def test_a_flood_of_lines_is_capped_and_a_batch_without_the_runs_lease_is_not_shown(api, owner, dataset,
                                                                                         stack):
    """The trainer's relay, publishing as the `trainer` identity with the run's lease: of 5000 lines logged at once
    its burst reaches the log and the rest is counted as dropped; a batch with another lease is not shown."""
    r = await api.post("/v1/trainings", json=training_body("lora", dataset["id"], max_steps=2000, checkpoint_every=1000,
                                                           samples=None),
                       headers=owner["headers"])
    assert r.status_code == 201, r.text
    training = r.json()
    try:
        await until_training(api, training["id"], owner["headers"], "running", timeout=300)
        run_file = Path(stack.data_dir) / "trainings" / training["id"] / "run.json"

        async def written():
            return run_file.is_file()

        await wait_for(written, timeout=30, interval=0.2)
        run = TrainingRun.model_validate_json(run_file.read_text())
        nc = await stack.connect_as("trainer")
        js, names = nc.jetstream(), Names(stack.options.namespace)
        subject = names.training_run_events(training["id"], "log")

        async def publish(batch, lease=run.lease):
            await js.publish(subject, encode(batch), headers={LEASE_HEADER: lease})

        relay = LogRelay(training["id"], publish)
        flood = logging.getLogger("easel_trainer.flood")
        flood.propagate, flood.level = False, logging.INFO
        flood.addHandler(relay)
        started = time.monotonic()
        try:
            for i in range(5000):
                flood.info("flood line %d", i)
        finally:
            flood.removeHandler(relay)
        took = time.monotonic() - started
        await relay.flush_now()
        forged = TrainingLogEvent(training_id=training["id"], lines=[
            TrainingLogLine(at=now(), level="error", text="forged line")])
        await publish(forged, lease="not-the-runs-lease")

        async def read():
            logs = (await api.get(f"/v1/trainings/{training['id']}/logs?lines=5000",
                                  headers=owner["headers"])).json()
            return logs if any(e["text"] == "flood line 0" for e in logs["entries"]) else None

        logs = await wait_for(read, timeout=30, interval=0.5)
        flooded = [e for e in logs["entries"] if e["text"].startswith("flood line")]
        # the burst, and what the rate (RATE a second) let through while the lines were logged
        assert BURST <= len(flooded) <= BURST + RATE * took + 1, (len(flooded), took)
        assert logs["dropped"] >= 5000 - len(flooded) - 10, logs["dropped"]
        assert not any("forged" in e["text"] for e in logs["entries"])
    finally:
        r = await api.delete(f"/v1/trainings/{training['id']}", headers=owner["headers"])
        assert r.status_code in (202, 409), r.text
