"""Dataset uploads as the registry keeps them: the gateway records one (UploadRequest with `dataset`) before it
writes the parts under its key, so parts a gateway crash left behind are swept with the record once nothing touched
it for EASEL_UPLOAD_ABANDON_S; a dataset taken from them removes the record (and the parts) at once."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from easel_proto.errors import Forbidden
from easel_proto.v1.common import Principal
from easel_proto.v1.registry import CreateDatasetRequest, DatasetUpload, UploadRequest
from easel_registry.datasets import DatasetFlows
from helpers import age_upload, registry_flows, upload_row

TRAINER = Principal(user_id="u-bob", tenant_id="t1", username="bob", roles=["user"],
                    permissions=["trainings:create"])


def _png(seed: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 64), (seed * 40 % 256, 90, 160)).save(out, format="PNG")
    return out.getvalue()


async def test_parts_a_crash_left_behind_are_swept_with_their_record(tmp_path: Path) -> None:
    async with registry_flows(tmp_path, upload_abandon_s=3600) as flows:
        crashed = await flows.start_upload(UploadRequest(principal=TRAINER, dataset=True))
        fresh = await flows.start_upload(UploadRequest(principal=TRAINER, dataset=True))
        assert crashed.key == f"t1/uploads/u-bob/{crashed.upload_id}"
        for started in (crashed, fresh):  # what the gateway wrote before it stopped
            for n in range(2):
                await flows.store.put(f"{started.key}/{n}", _png(n))
        await age_upload(flows, crashed.upload_id, 3601)

        assert await flows.uploads.sweep_once() == 1
        assert await flows.store.list(crashed.key + "/") == []
        assert await upload_row(flows, crashed.upload_id) is None
        assert len(await flows.store.list(fresh.key + "/")) == 2
        assert await upload_row(flows, fresh.upload_id) is not None


async def test_a_dataset_upload_needs_trainings_create_not_models_write(tmp_path: Path) -> None:
    modeller = TRAINER.model_copy(update={"permissions": ["models:read", "models:write"]})
    async with registry_flows(tmp_path) as flows:
        with pytest.raises(Forbidden):
            await flows.start_upload(UploadRequest(principal=modeller, dataset=True))
        with pytest.raises(Forbidden):  # and a trainer may not start a model upload through it
            await flows.start_upload(UploadRequest(principal=TRAINER))
        assert (await flows.start_upload(UploadRequest(principal=modeller))).upload_id


@pytest.mark.parametrize("good", [True, False])
async def test_a_dataset_taken_from_its_upload_removes_the_record_whatever_the_outcome(tmp_path: Path, good) -> None:
    async with registry_flows(tmp_path, upload_abandon_s=3600) as flows:
        datasets = DatasetFlows(flows.settings, flows.sessions, flows.store)
        started = await flows.start_upload(UploadRequest(principal=TRAINER, dataset=True))
        other = await flows.start_upload(UploadRequest(principal=TRAINER, dataset=True))  # another request's
        parts = []
        for n in range(2):
            await flows.store.put(f"{started.key}/{n}", _png(n) if good else b"not an image")
            parts.append(DatasetUpload(key=f"{started.key}/{n}", filename=f"{n}.png"))
        req = CreateDatasetRequest(principal=TRAINER, name="cats", images=parts)
        if good:
            assert (await datasets.create(req)).images == 2
        else:
            with pytest.raises(Exception, match="images.0"):
                await datasets.create(req)
        assert await upload_row(flows, started.upload_id) is None
        assert await flows.store.list(started.key + "/") == []
        assert await upload_row(flows, other.upload_id) is not None
