"""Single-file checkpoints without hand-made config folders: the registry fetches each base's configs once from a
(fake) Hugging Face Hub into the object store, workers copy them into their cache and load with them; offline
installs import them from a folder or an archive (`easel configs import`). EASEL_MODEL_CONFIG_DIR still wins."""

from __future__ import annotations

import asyncio
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import uuid
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from test_hf_source import FakeHub, add_repo, hub  # noqa: F401  (the fake Hub fixture)
from test_model_cache import job_for, spec, worker_for

from easel_common.storage import LocalStore
from easel_proto.errors import InvalidInput
from easel_proto.v1.registry import ImportModelRequest, ModelInfo, ModelRequest, ModelSource
from easel_registry import base_configs, sources
from easel_registry.flows import RegistryFlows
from easel_worker.engine import GenerationEngine, build_tiny_sd
from easel_worker.engine.loading import config_folder
from easel_worker.engine.tiny import build_tiny_sdxl
from helpers import REGISTRY_OWNER, registry_flows, wait_for
from webui_layout import to_single_file

XL_REPO = base_configs.REPOS["sdxl"]


@pytest.fixture(scope="module")
def xl(tmp_path_factory) -> tuple[Path, Path]:
    """A tiny SDXL pipeline folder (configs, tokenizers and weights) and the same weights as one web UI file."""
    root = tmp_path_factory.mktemp("xl")
    folder = build_tiny_sdxl(root / "sdxl")
    return folder, to_single_file(folder, root / "xl.safetensors", xl=True)


def repo_files(folder: Path) -> dict[str, bytes]:
    files = {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    return files | {"unet/diffusion_pytorch_model.bin": b"\x80\x04weights", "README.md": b"# sdxl"}


async def import_single(flows: RegistryFlows, file: Path, base: str) -> ModelInfo:
    upload_id = uuid.uuid4().hex
    await flows.store.put_file(sources.upload_key("t1", REGISTRY_OWNER.user_id, upload_id), file)
    info = await flows.import_model(ImportModelRequest(principal=REGISTRY_OWNER, name=f"m-{upload_id[:6]}",
                                                       kind="checkpoint", base=base,
                                                       source=ModelSource(type="upload", uri=upload_id)))

    async def done():
        [now] = (await flows.models(ModelRequest(principal=REGISTRY_OWNER, model_id=info.id))).items
        return now if now.status != "importing" else None

    return await wait_for(done, timeout=60, interval=0.05)


async def test_the_first_single_file_import_stores_the_configs_and_a_worker_generates_with_them(
        xl, hub, tmp_path):  # noqa: F811
    folder, single = xl
    add_repo(hub, XL_REPO, repo_files(folder))
    async with registry_flows(tmp_path / "registry", hf_endpoint=f"http://127.0.0.1:{hub.server_address[1]}") as flows:
        model = await import_single(flows, single, "sdxl")
        assert model.status == "ready" and model.format == "safetensors", model
        downloaded = hub.resolved(XL_REPO)
        asked = len(hub.seen)
        again = await import_single(flows, single, "sdxl")
        assert again.status == "ready" and len(hub.seen) == asked  # once per base, not per import
    # configs and tokenizers, never weights or anything else the repo holds
    assert "model_index.json" in downloaded and "tokenizer_2/tokenizer_config.json" in downloaded
    assert all(p.endswith((".json", ".txt")) for p in downloaded), downloaded
    store = flows.store
    stored = await store.list("_configs/sdxl/")
    assert "_configs/sdxl/unet/config.json" in stored and "_configs/sdxl/model_index.json" in stored
    assert not [k for k in stored if k.endswith((".safetensors", ".bin", ".md"))]

    # a worker with no EASEL_MODEL_CONFIG_DIR: it copies the configs from the store and loads the file with them
    # the engine shares the worker's cache_dir, as main.make_engine builds it
    engine = GenerationEngine(tmp_path / "data" / "models", device="cpu", max_loaded=2)
    worker = worker_for(tmp_path, store, engine)
    assert worker.settings.model_config_dir is None and worker.settings.cache_dir == engine.cache_dir
    result = await worker._generate(job_for(model), 1)
    assert (worker.settings.cache_dir / "base-configs" / "sdxl" / "model_index.json").is_file()
    made = np.asarray(Image.open(io.BytesIO(await store.get(result.image_keys[0]))).convert("RGB"))
    builtin = ModelInfo(id="builtin-tiny-sdxl", name="tiny-sdxl", kind="checkpoint", base="sdxl",
                        source="builtin:tiny-sdxl")
    [expected] = await asyncio.to_thread(engine.generate, spec(builtin), lambda *a: None)
    assert np.array_equal(made, np.asarray(expected.convert("RGB")))  # the same weights, shaped by the configs


async def test_without_a_reachable_hub_the_import_succeeds_and_the_load_says_what_to_do(tmp_path):
    tiny = build_tiny_sd(tmp_path / "tiny")
    single = to_single_file(tiny, tmp_path / "sd15.safetensors")
    async with registry_flows(tmp_path / "registry", hf_endpoint="http://127.0.0.1:9") as flows:
        model = await import_single(flows, single, "sd15")
    assert model.status == "ready"
    assert await flows.store.list("_configs/") == []
    with pytest.raises(InvalidInput, match=r"easel configs import PATH.*EASEL_MODEL_CONFIG_DIR"):
        config_folder("sd15", tmp_path / "engine", None)


def sd15_configs(root: Path) -> Path:
    """A config folder for sd15 from the tiny pipeline: its configs and tokenizer, no weights."""
    folder = build_tiny_sd(root / "sd15")
    for weights in folder.rglob("*.safetensors"):
        weights.unlink()
    return folder


async def test_configs_import_from_a_folder_with_the_cli(tmp_path):
    sd15_configs(tmp_path / "configs")
    env = {**os.environ, "EASEL_DATA_DIR": str(tmp_path / "data"), "EASEL_STORE": "local"}
    env.pop("EASEL_STORE_DIR", None)
    done = subprocess.run([sys.executable, "-m", "easel_stack", "configs", "import", str(tmp_path / "configs")],
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "config files under _configs/sd15/" in done.stdout
    store = LocalStore(tmp_path / "data" / "objects")
    assert await store.exists("_configs/sd15/model_index.json")
    assert await store.exists("_configs/sd15/tokenizer/tokenizer_config.json")
    refused = subprocess.run([sys.executable, "-m", "easel_stack", "configs", "import", str(tmp_path / "nothing")],
                             env=env, capture_output=True, text=True, timeout=120)
    assert refused.returncode == 2 and "does not exist" in refused.stderr


@pytest.mark.parametrize("kind", ["tar", "zip"])
async def test_configs_import_from_an_archive_keeps_only_config_files(tmp_path, kind):
    folder = sd15_configs(tmp_path / "configs")
    archive = tmp_path / f"configs.{kind}"
    extra = {"../escape.json": b"{}", "sd15/unet/diffusion_pytorch_model.bin": b"\x80\x04w"}
    if kind == "tar":
        with tarfile.open(archive, "w:gz") as t:
            t.add(folder, arcname="sd15")
            for name, data in extra.items():
                info = tarfile.TarInfo(name)
                info.size = len(data)
                t.addfile(info, io.BytesIO(data))
    else:
        with zipfile.ZipFile(archive, "w") as z:
            for p in folder.rglob("*"):
                if p.is_file():
                    z.write(p, f"sd15/{p.relative_to(folder).as_posix()}")
            for name, data in extra.items():
                z.writestr(name, data)
    store = LocalStore(tmp_path / "objects")
    stored = await base_configs.import_path(store, archive)
    assert "model_index.json" in stored["sd15"] and "unet/config.json" in stored["sd15"]
    assert not (tmp_path / "escape.json").exists()
    assert not [k for k in await store.list("") if not k.endswith((".json", ".txt"))]


async def test_a_config_folder_of_the_wrong_family_is_refused(tmp_path):
    folder = sd15_configs(tmp_path / "configs")
    with pytest.raises(InvalidInput, match="not StableDiffusionXLPipeline"):
        await base_configs.import_path(LocalStore(tmp_path / "objects"), folder, "sdxl")
    (folder / "model_index.json").write_text(json.dumps({"_class_name": "StableDiffusionPipeline"}))
    shutil.rmtree(folder / "unet")
    with pytest.raises(InvalidInput, match="no unet/ folder"):
        await base_configs.import_path(LocalStore(tmp_path / "objects"), folder, "sd15")


def test_easel_model_config_dir_still_wins_over_the_fetched_configs(tmp_path):
    for root in (tmp_path / "override", tmp_path / "cache" / "base-configs"):
        (root / "sdxl").mkdir(parents=True)
        (root / "sdxl" / "model_index.json").write_text("{}")
    assert config_folder("sdxl", tmp_path / "cache", tmp_path / "override") == tmp_path / "override" / "sdxl"
    assert config_folder("sdxl", tmp_path / "cache", None) == tmp_path / "cache" / "base-configs" / "sdxl"
