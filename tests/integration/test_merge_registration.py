"""The registry's side of a merge job (origin `merge` on `{ns}.registry.register`): the merged file in the job's
folder becomes the owner's private model, or is refused; either way the job's copy is gone."""

from __future__ import annotations

import hashlib

import pytest
import torch
from safetensors.torch import save_file

from easel_proto.errors import InvalidInput
from easel_proto.naming import job_prefix, merge_path
from easel_proto.v1.registry import ModelRequest
from easel_proto.v1.trainings import RegisterTrainingRequest, TrainingArtefact
from easel_registry.trainings import Registrations
from helpers import REGISTRY_OWNER, registry_flows

JOB = "6f1c1d7e-0000-4000-8000-000000000001"


async def merged_file(flows, tmp_path, run: str = "r1") -> tuple[str, str, int]:
    path = tmp_path / "merged.safetensors"
    save_file({"model.diffusion_model.w": torch.ones(4)}, path)
    data = path.read_bytes()
    key = job_prefix(REGISTRY_OWNER.tenant_id, REGISTRY_OWNER.user_id, JOB) + merge_path(run)
    await flows.store.put(key, data)
    return key, hashlib.sha256(data).hexdigest(), len(data)


def request(sha256: str, size: int, run: str = "r1", **changes) -> RegisterTrainingRequest:
    artefact = TrainingArtefact(kind="checkpoint", base="tiny", format="safetensors", path=merge_path(run),
                                sha256=sha256, size=size, name="merged")
    values = {"owner": REGISTRY_OWNER, "training_id": JOB, "name": "merged", "artefact": artefact, "origin": "merge",
              "prefix": job_prefix(REGISTRY_OWNER.tenant_id, REGISTRY_OWNER.user_id, JOB), **changes}
    return RegisterTrainingRequest(**values)


async def test_a_merge_result_becomes_the_owners_private_model_once(tmp_path):
    async with registry_flows(tmp_path / "registry") as flows:
        registrations = Registrations(flows)
        key, sha256, size = await merged_file(flows, tmp_path)
        model = await registrations.register(request(sha256, size))
        assert model.owner_id == REGISTRY_OWNER.user_id and model.visibility == "private" and model.sha256 == sha256
        assert model.metadata["merge_job"] == JOB
        assert not await flows.store.exists(key)  # consumed: the model has its own copy
        again = await registrations.register(request(sha256, size))  # a retry after a lost reply
        assert again.id == model.id
        await registrations.register(request(sha256, size, unregister=True))
        listed = (await flows.models(ModelRequest(principal=REGISTRY_OWNER))).items
        assert model.id not in {m.id for m in listed}


async def test_a_refused_merge_result_leaves_neither_model_nor_file(tmp_path):
    async with registry_flows(tmp_path / "registry") as flows:
        registrations = Registrations(flows)
        key, _, size = await merged_file(flows, tmp_path)
        with pytest.raises(InvalidInput, match="checksum mismatch"):
            await registrations.register(request("0" * 64, size))
        assert not await flows.store.exists(key)
        listed = (await flows.models(ModelRequest(principal=REGISTRY_OWNER))).items
        assert not [m for m in listed if m.metadata.get("merge_job") == JOB]
        assert not await flows.store.list(f"{REGISTRY_OWNER.tenant_id}/models/")


async def test_only_the_owners_own_job_folder_is_read(tmp_path):
    async with registry_flows(tmp_path / "registry") as flows:
        key, sha256, size = await merged_file(flows, tmp_path)
        other = job_prefix(REGISTRY_OWNER.tenant_id, "u-mallory", JOB)
        with pytest.raises(InvalidInput) as exc:
            await Registrations(flows).register(request(sha256, size, prefix=other))
        assert exc.value.details["field"] == "prefix"
        assert await flows.store.exists(key)  # refused before anything was touched
