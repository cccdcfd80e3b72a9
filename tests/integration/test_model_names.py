"""One owner's models of a kind have distinct names, so `<lora:name>` means one model: a second import, upload or
rename with the name is a 409 naming `name`; a training's result takes the next free `name-2`; the migration renames
duplicates an older database already has, oldest first keeping its name."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import torch
from alembic import command
from alembic.config import Config
from safetensors.torch import save_file
from sqlalchemy import text

from easel_common import db
from easel_proto.errors import Conflict
from easel_proto.naming import training_prefix
from easel_proto.v1.common import Principal
from easel_proto.v1.registry import ImportModelRequest, ModelRequest, ModelSource
from easel_proto.v1.trainings import RegisterTrainingRequest, TrainingArtefact
from easel_registry.main import MIGRATIONS
from easel_registry.trainings import Registrations
from helpers import REGISTRY_OWNER, registry_flows

BOB = REGISTRY_OWNER.model_copy(update={"user_id": "u-bob", "username": "bob"})


async def registered(flows, tmp_path, name: str, owner: Principal = REGISTRY_OWNER, seed: int = 0) -> str:
    """A finished training's result, registered as its owner's model: the model's name."""
    training_id = str(uuid.uuid4())
    path = tmp_path / f"{training_id}.safetensors"
    save_file({"model.diffusion_model.w": torch.full((4,), float(seed))}, path)
    data = path.read_bytes()
    prefix = training_prefix(owner.tenant_id, training_id)
    await flows.store.put(prefix + "artefact/model.safetensors", data)
    artefact = TrainingArtefact(kind="checkpoint", base="tiny", format="safetensors",
                                path="artefact/model.safetensors", sha256=hashlib.sha256(data).hexdigest(),
                                size=len(data), name="model")
    model = await Registrations(flows).register(RegisterTrainingRequest(
        owner=owner, training_id=training_id, name=name, artefact=artefact, prefix=prefix))
    return model.name


def importing(name: str, source: ModelSource, owner: Principal = REGISTRY_OWNER, kind: str = "checkpoint"):
    return ImportModelRequest(principal=owner, name=name, kind=kind, base="sd15", source=source)


async def test_a_second_model_of_the_same_name_is_refused_on_import_upload_and_rename(tmp_path):
    async with registry_flows(tmp_path / "registry") as flows:
        assert await registered(flows, tmp_path, "dogs") == "dogs"
        for source in (ModelSource(type="http", uri="https://example.com/dogs.safetensors"),
                       ModelSource(type="upload", uri=uuid.uuid4().hex)):
            with pytest.raises(Conflict) as refused:
                await flows.import_model(importing("dogs", source))
            assert refused.value.details["field"] == "name" and refused.value.status == 409
        # another kind, or another owner, may use the name; nothing else was recorded
        upload = ModelSource(type="upload", uri=uuid.uuid4().hex)
        assert (await flows.import_model(importing("dogs", upload, kind="lora"))).name == "dogs"
        assert (await flows.import_model(importing("dogs", upload, owner=BOB))).name == "dogs"
        mine = (await flows.models(ModelRequest(principal=REGISTRY_OWNER, kind="checkpoint"))).items
        assert [m.name for m in mine if m.owner_id == REGISTRY_OWNER.user_id] == ["dogs"]

        other = await registered(flows, tmp_path, "cats", seed=1)
        [cats] = [m for m in (await flows.models(ModelRequest(principal=REGISTRY_OWNER))).items if m.name == other]
        with pytest.raises(Conflict) as refused:
            await flows.models(ModelRequest(principal=REGISTRY_OWNER, model_id=cats.id, name="dogs"))
        assert refused.value.details["field"] == "name"
        [still] = (await flows.models(ModelRequest(principal=REGISTRY_OWNER, model_id=cats.id))).items
        assert still.name == "cats"


async def test_a_failed_import_does_not_hold_its_name(tmp_path):
    async with registry_flows(tmp_path / "registry") as flows:
        gone = ModelSource(type="upload", uri=uuid.uuid4().hex)  # nothing was uploaded: the import fails
        first = await flows.import_model(importing("retry-me", gone))
        await flows._tasks[first.id]
        [failed] = (await flows.models(ModelRequest(principal=REGISTRY_OWNER, model_id=first.id))).items
        assert failed.status == "failed"
        assert (await flows.import_model(importing("retry-me", gone))).name == "retry-me"


async def test_a_trainings_result_takes_the_next_free_name(tmp_path):
    async with registry_flows(tmp_path / "registry") as flows:
        names = [await registered(flows, tmp_path, "style", seed=i) for i in range(3)]
        assert names == ["style", "style-2", "style-3"]
        assert await registered(flows, tmp_path, "style", owner=BOB, seed=9) == "style"


def _alembic(conn, revision: str) -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = conn
    cfg.attributes["version_table"] = "alembic_version_registry"
    command.upgrade(cfg, revision)


async def test_the_migration_renames_existing_duplicates_oldest_first(tmp_path):
    engine = db.make_engine(f"sqlite+aiosqlite:///{tmp_path / 'old.db'}")
    try:
        async with engine.begin() as conn:
            await conn.run_sync(_alembic, "0002")
        at = datetime(2026, 1, 1, tzinfo=UTC)
        rows = [("m1", "u1", "lora", "dogs", "ready", 0), ("m2", "u1", "lora", "dogs", "ready", 1),
                ("m3", "u1", "lora", "dogs-2", "ready", 2), ("m4", "u1", "lora", "dogs", "ready", 3),
                ("m5", "u1", "checkpoint", "dogs", "ready", 4), ("m6", "u2", "lora", "dogs", "ready", 5),
                ("m7", "u1", "lora", "dogs", "failed", 6)]
        async with engine.begin() as conn:
            for model_id, owner, kind, name, status, minutes in rows:
                await conn.execute(text(
                    "INSERT INTO models (id, tenant_id, owner_id, name, kind, base, source, files, visibility, "
                    "shared_roles, status, bytes_done, metadata, created_at, updated_at) VALUES (:id, 't', :owner, "
                    ":name, :kind, 'sd15', 'x', '[]', 'private', '[]', :status, 0, '{}', :at, :at)"),
                    {"id": model_id, "owner": owner, "name": name, "kind": kind, "status": status,
                     "at": at + timedelta(minutes=minutes)})
        async with engine.begin() as conn:
            await conn.run_sync(_alembic, "head")
            names = dict((await conn.execute(text("SELECT id, name FROM models"))).all())
        assert names == {"m1": "dogs", "m2": "dogs-3", "m3": "dogs-2", "m4": "dogs-4", "m5": "dogs", "m6": "dogs",
                         "m7": "dogs"}
    finally:
        await engine.dispose()
