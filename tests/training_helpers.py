"""Datasets and trainings driven over HTTP, as a user would: shared by the fine-tuning tests."""

from __future__ import annotations

import contextlib
import io
import json
import uuid
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from PIL import Image

from helpers import new_user, wait_for

TRAINER_PERMISSIONS = ["jobs:create", "models:read", "trainings:create", "pools:use:default"]


def image_bytes(i: int, size: tuple[int, int] = (64, 64), fmt: str = "PNG") -> bytes:
    """A smooth colour field, different for each i."""
    w, h = size
    y, x = np.mgrid[0:h, 0:w] / max(w, h)
    rgb = np.stack([(x * (i + 1)) % 1, y, (x * y * 3 + i / 4) % 1], axis=2)
    out = io.BytesIO()
    Image.fromarray((rgb * 255).astype(np.uint8)).save(out, format=fmt)
    return out.getvalue()


def dataset_zip(count: int = 4, *, captions: bool = True, extra: dict[str, bytes] | None = None) -> bytes:
    """A zip of `count` images (every other one with a caption beside it), plus any `extra` members."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for i in range(count):
            zf.writestr(f"set/img{i}.png", image_bytes(i))
            if captions and i % 2 == 0:
                zf.writestr(f"set/img{i}.txt", f"a striped field number {i}")
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return out.getvalue()


async def trainer_user(api: httpx.AsyncClient, admin_headers: dict[str, str], **fields) -> dict:
    """A user whose role may train (trainings:create) on the default pool."""
    role = f"trainer-{uuid.uuid4().hex[:8]}"
    r = await api.post("/v1/roles", json={"name": role, "permissions": TRAINER_PERMISSIONS}, headers=admin_headers)
    assert r.status_code == 201, r.text
    return await new_user(api, admin_headers, roles=["user", role], **fields)


async def upload_dataset(api: httpx.AsyncClient, headers: dict[str, str], data: bytes | None = None,
                         name: str = "fields") -> httpx.Response:
    return await api.post("/v1/datasets", headers=headers, data={"name": name},
                          files={"archive": ("set.zip", data or dataset_zip(), "application/zip")})


async def new_dataset(api: httpx.AsyncClient, headers: dict[str, str], **kw) -> dict:
    r = await upload_dataset(api, headers, **kw)
    assert r.status_code == 201, r.text
    return r.json()


def training_body(method: str, dataset: str, **over) -> dict:
    """A few dozen steps on the built-in tiny model, with a sample at the end."""
    body = {"method": method, "base_model": "tiny-sd", "dataset": dataset, "resolution": 64, "batch_size": 2,
            "max_steps": 12, "checkpoint_every": 6, "seed": 7,
            "samples": {"prompts": ["a striped field"], "every": 6, "steps": 2}}
    if method in ("lora", "dreambooth_lora"):
        body["learning_rates"] = {"unet": 1e-3, "text_encoder": 1e-4}
    if method in ("dreambooth", "dreambooth_lora"):
        body["dreambooth"] = {"instance_prompt": "a photo of sks field"}
    if method == "dreambooth":
        body["learning_rates"] = {"unet": 1e-3}
    if method == "textual_inversion":
        body["textual_inversion"] = {"token": f"sks{uuid.uuid4().hex[:6]}", "num_vectors": 2, "init_word": "field"}
        body["learning_rates"] = {"embedding": 5e-2}
    if method == "hypernetwork":
        body["hypernetwork"] = {"layer_structure": [1, 2, 1], "activation": "relu", "layer_norm": True}
        body["learning_rates"] = {"hypernetwork": 1e-3}
    return body | over


async def follow(api: httpx.AsyncClient, training_id: str, headers: dict[str, str],
                 timeout: float = 600.0) -> list[tuple[str, dict]]:
    """Every SSE event of a training until its end: (event name, data)."""
    seen: list[tuple[str, dict]] = []
    async with api.stream("GET", f"/v1/trainings/{training_id}/events", headers=headers,
                          timeout=httpx.Timeout(timeout, read=timeout)) as response:
        assert response.status_code == 200, await response.aread()
        name = None
        async for line in response.aiter_lines():
            if line.startswith("event:"):
                name = line.split(":", 1)[1].strip()
            elif line.startswith("data:") and name:
                seen.append((name, json.loads(line.split(":", 1)[1])))
                if name in ("succeeded", "failed", "canceled"):
                    return seen
    return seen


async def until_training(api: httpx.AsyncClient, training_id: str, headers: dict[str, str], *statuses: str,
                         timeout: float = 600.0) -> dict:
    async def check():
        r = await api.get(f"/v1/trainings/{training_id}", headers=headers)
        return r.json() if r.json()["status"] in statuses else None

    return await wait_for(check, timeout=timeout, interval=0.25)


@contextlib.asynccontextmanager
async def training_flows(nats_url: str, tmp_path: Path, launcher, **settings) -> AsyncIterator:
    """The jobs service's training flows alone, on a SQLite database of their own (a sweep there sees only this
    test's trainings) and the test NATS, with `launcher` and any further `JobsSettings`."""
    import nats

    from easel_common import db
    from easel_common.storage import LocalStore
    from easel_jobs.main import MIGRATIONS
    from easel_jobs.settings import JobsSettings
    from easel_jobs.trainings.flows import TrainingFlows

    database_url = f"sqlite+aiosqlite:///{tmp_path / 'jobs.db'}"
    engine = db.make_engine(database_url)
    await db.migrate(engine, MIGRATIONS, "alembic_version_jobs")
    nc = await nats.connect(nats_url)
    made = TrainingFlows(nc, db.sessions(engine),
                         JobsSettings(data_dir=tmp_path, database_url=database_url, nats_url=nats_url, **settings),
                         launcher, LocalStore(tmp_path / "objects"))
    try:
        yield made
    finally:
        await made.stop()
        await nc.close()
        await engine.dispose()


def queued_training(owner) -> Any:
    """A queued LoRA training row of `owner`'s, not yet stored."""
    from easel_jobs.trainings.models import Training
    from easel_proto.wire import now

    return Training(id=str(uuid.uuid4()), user_id=owner.user_id, tenant_id=owner.tenant_id, username=owner.username,
                    pool="default", status="queued", method="lora", name="dogs", base_model_id="tiny-sd",
                    dataset_id="d1", request={"method": "lora", "base_model": "tiny-sd", "dataset": "d1"}, spec={},
                    inputs={}, attempts=0, cancel_requested=False, step=0, samples=[], gpu_s=0.0, created_at=now())
