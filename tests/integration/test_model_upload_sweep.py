"""Model uploads as the registry keeps them: an upload never imported is removed (file and record) once nothing has
touched it for EASEL_UPLOAD_ABANDON_S, a fresh one stays; an import of an upload turns it into the model and removes
it; an import refused because the name is taken removes the upload at once; a PUT needs an upload its caller
started."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from safetensors.numpy import save

from easel_proto.errors import Conflict, NotFound
from easel_proto.v1.common import Principal
from easel_proto.v1.registry import ImportModelRequest, ModelSource, UploadRequest
from helpers import REGISTRY_OWNER, age_upload, import_and_wait, registry_flows, upload_row


def _weights(seed: int) -> bytes:
    return save({"lora_unet_down.lora_down.weight": np.full((4, 4), seed, dtype=np.float32)})


async def _started(flows, content: bytes | None = None, who: Principal = REGISTRY_OWNER):
    started = await flows.start_upload(UploadRequest(principal=who))
    if content is not None:
        await flows.store.put(started.key, content)
    return started


async def test_abandoned_uploads_are_swept_with_their_files_and_fresh_ones_stay(tmp_path: Path) -> None:
    async with registry_flows(tmp_path, upload_abandon_s=3600) as flows:
        old, fresh, never_put = (await _started(flows, _weights(1)), await _started(flows, _weights(2)),
                                 await _started(flows))
        assert old.key == f"t1/uploads/{REGISTRY_OWNER.user_id}/{old.upload_id}"
        assert (old.abandon_at - old.created_at).total_seconds() == pytest.approx(3600)
        await age_upload(flows, old.upload_id, 3601)
        await age_upload(flows, never_put.upload_id, 3601)

        assert await flows.uploads.sweep_once() == 2
        assert not await flows.store.exists(old.key) and await upload_row(flows, old.upload_id) is None
        assert await upload_row(flows, never_put.upload_id) is None
        assert await flows.store.exists(fresh.key) and await upload_row(flows, fresh.upload_id) is not None
        with pytest.raises(NotFound):  # swept: its PUT is refused, naming the upload
            await flows.start_upload(UploadRequest(principal=REGISTRY_OWNER, upload_id=old.upload_id))
        assert await flows.uploads.sweep_once() == 0


async def test_an_imported_upload_becomes_the_model_and_is_gone(tmp_path: Path) -> None:
    async with registry_flows(tmp_path) as flows:
        started = await _started(flows, _weights(3))
        model = await import_and_wait(flows, ModelSource(type="upload", uri=started.upload_id), kind="lora")
        assert model["status"] == "ready", model
        assert not await flows.store.exists(started.key) and await upload_row(flows, started.upload_id) is None


async def test_an_import_refused_for_a_taken_name_removes_its_upload_at_once(tmp_path: Path) -> None:
    async with registry_flows(tmp_path) as flows:
        first = await _started(flows, _weights(4))
        await import_and_wait(flows, ModelSource(type="upload", uri=first.upload_id), kind="lora", name="taken")
        second = await _started(flows, _weights(5))
        with pytest.raises(Conflict) as refused:
            await flows.import_model(ImportModelRequest(principal=REGISTRY_OWNER, name="taken", kind="lora",
                                                        base="sd15",
                                                        source=ModelSource(type="upload", uri=second.upload_id)))
        assert refused.value.details["field"] == "name"
        assert not await flows.store.exists(second.key) and await upload_row(flows, second.upload_id) is None


async def test_a_put_needs_an_upload_its_caller_started(tmp_path: Path) -> None:
    async with registry_flows(tmp_path) as flows:
        mine = await _started(flows)
        await age_upload(flows, mine.upload_id, 600)
        again = await flows.start_upload(UploadRequest(principal=REGISTRY_OWNER, upload_id=mine.upload_id))
        assert again.key == mine.key and again.abandon_at > mine.abandon_at  # a PUT touches it
        other = REGISTRY_OWNER.model_copy(update={"user_id": "u-bob", "username": "bob"})
        for who, upload_id in ((other, mine.upload_id), (REGISTRY_OWNER, "0" * 32)):
            with pytest.raises(NotFound) as refused:
                await flows.start_upload(UploadRequest(principal=who, upload_id=upload_id))
            assert refused.value.details["field"] == "upload_id"
