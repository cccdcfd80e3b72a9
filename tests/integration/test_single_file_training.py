"""A single-file base (the web UI's layout, as model sites ship SD 1.5/2.1/SDXL checkpoints) trains like a folder:
the trainer fetches its base's configs and tokenizers from where the registry keeps them; without them, the run is
refused naming the base."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from safetensors import safe_open

from easel_common.storage import LocalStore
from easel_proto.errors import InvalidInput
from easel_proto.naming import dataset_prefix
from easel_proto.v1.common import Principal
from easel_proto.v1.registry import DatasetFile, ModelFile, ModelInfo
from easel_proto.v1.trainings import TrainingDatasetFiles, TrainingRun, TrainingSpec
from easel_trainer import run
from easel_trainer.job import Inputs
from easel_worker.engine import ensure_tiny_sd
from easel_worker.engine.tiny import TINY_SD
from webui_layout import to_single_file

OWNER = Principal(user_id=str(uuid.uuid4()), tenant_id="t1", username="alice")


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


async def _training(tmp_path: Path, with_configs: bool) -> tuple[TrainingRun, LocalStore]:
    store = LocalStore(tmp_path / "objects")
    folder = ensure_tiny_sd(tmp_path / "builtin", TINY_SD)
    single = to_single_file(folder, tmp_path / "tiny.safetensors")
    key = f"{OWNER.tenant_id}/models/m1/model.safetensors"
    await store.put_file(key, single)
    if with_configs:  # what the registry stores on import (configs and tokenizers only)
        for f in folder.rglob("*"):
            if f.is_file() and f.suffix in (".json", ".txt"):
                await store.put_file(f"_configs/sd15/{f.relative_to(folder).as_posix()}", f)
    files = []
    for i in range(2):
        y, x = np.mgrid[0:32, 0:32] / 32.0
        image = tmp_path / f"img{i}.png"
        Image.fromarray((np.stack([x, y, (x + i) % 1], axis=2) * 255).astype(np.uint8)).save(image)
        image_key = f"{dataset_prefix(OWNER.tenant_id, 'd1')}img{i}.png"
        await store.put_file(image_key, image)
        files.append(DatasetFile(path=f"img{i}.png", key=image_key, size=image.stat().st_size, sha256=_sha(image),
                                 width=32, height=32, caption="a striped field"))
    base = ModelInfo(id="m1", name="site-model", kind="checkpoint", base="sd15", source="upload:x",
                     format="safetensors", files=[ModelFile(path="model.safetensors", key=key,
                                                            size=single.stat().st_size, sha256=_sha(single))])
    spec = TrainingSpec(method="lora", name="fox", model={"path": "-", "base": "sd15"}, dataset={"path": "-"},
                        resolution=32, batch_size=2, max_steps=3, seed=7, learning_rates={"unet": 1e-3})
    return TrainingRun(training_id="tr1", lease="l", owner=OWNER, spec=spec, base=base,
                       dataset=TrainingDatasetFiles(id="d1", name="d", files=files),
                       prefix=f"{OWNER.tenant_id}/trainings/tr1/"), store


async def test_a_single_file_base_trains_with_the_configs_the_registry_keeps(tmp_path):
    training, store = await _training(tmp_path, with_configs=True)
    spec = await Inputs(training, store, tmp_path / "work").fetch()
    assert Path(spec.model.path).name == "model.safetensors"
    assert Path(spec.model.config_path, "model_index.json").is_file()
    final = run(spec, tmp_path / "work", device="cpu")
    assert final.type == "succeeded" and final.artefact.kind == "lora"
    with safe_open(str(tmp_path / "work" / final.artefact.path), "pt") as f:
        assert any(k.startswith("lora_unet_") for k in f.keys())


async def test_a_single_file_base_without_configs_is_refused_naming_it(tmp_path):
    training, store = await _training(tmp_path, with_configs=False)
    with pytest.raises(InvalidInput) as refused:
        await Inputs(training, store, tmp_path / "work").fetch()
    assert refused.value.details["field"] == "base_model" and "configs" in refused.value.details["reason"]
