"""The worker's model cache: fetch a model's files from the object store once, verify them, evict LRU, load them."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from easel_common.storage import LocalStore
from easel_proto.errors import GenerationFailed, InvalidInput
from easel_proto.naming import image_key
from easel_proto.v1 import common, jobs
from easel_proto.v1.registry import ModelFile, ModelInfo
from easel_proto.wire import now
from easel_worker import metrics
from easel_worker.cache import MARKER, ModelCache
from easel_worker.engine import GenerationEngine, build_tiny_sd
from easel_worker.engine.tiny import build_tiny_sdxl
from easel_worker.settings import WorkerSettings
from easel_worker.worker import Worker
from helpers import SilentNats
from webui_layout import to_single_file

TENANT = "t1"


class CountingStore(LocalStore):
    """The real LocalStore, counting get_file calls per key and slowed a little so concurrent calls overlap."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.fetches: Counter[str] = Counter()

    async def get_file(self, key: str, path: Path) -> None:
        self.fetches[key] += 1
        await asyncio.sleep(0.02)
        await super().get_file(key, path)


@pytest.fixture(scope="module")
def tiny_src(tmp_path_factory) -> Path:
    return build_tiny_sd(tmp_path_factory.mktemp("tiny-src") / "tiny-sd")


@pytest.fixture
def store(tmp_path) -> CountingStore:
    return CountingStore(tmp_path / "objects")


async def upload(store: LocalStore, folder: Path, model_id: str, **info) -> ModelInfo:
    """Put every file of a diffusers folder into the store as the registry does; return its ModelInfo."""
    files = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder).as_posix()
        key = f"{TENANT}/models/{model_id}/{rel}"
        await store.put_file(key, path)
        data = path.read_bytes()
        files.append(ModelFile(path=rel, key=key, size=len(data), sha256=hashlib.sha256(data).hexdigest()))
    fields = dict(id=model_id, name=f"model {model_id}", kind="checkpoint", base="tiny",
                  source=f"store:{TENANT}/models/{model_id}", format="diffusers", files=files,
                  size=sum(f.size for f in files))
    return ModelInfo(**(fields | info))


def unet_file(model: ModelInfo) -> ModelFile:
    return next(f for f in model.files if f.path.startswith("unet/") and f.path.endswith(".safetensors"))


async def test_materialize_fetches_verifies_then_hits(tiny_src, store, tmp_path):
    model = await upload(store, tiny_src, "m1")
    cache = ModelCache(tmp_path / "cache", store, budget_bytes=10**9)
    hits = metrics.CACHE_HITS.labels("checkpoint")._value.get()
    downloaded = metrics.BYTES_DOWNLOADED._value.get()

    folder = await cache.materialize(model)
    assert folder == tmp_path / "cache" / "m1"
    for f in model.files:
        assert hashlib.sha256((folder / f.path).read_bytes()).hexdigest() == f.sha256
    assert set(json.loads((folder / MARKER).read_text())["files"]) == {f.path for f in model.files}
    assert all(n == 1 for n in store.fetches.values()) and len(store.fetches) == len(model.files)
    assert metrics.BYTES_DOWNLOADED._value.get() - downloaded == model.size

    assert await cache.materialize(model) == folder
    assert all(n == 1 for n in store.fetches.values())  # a hit downloads nothing
    assert metrics.CACHE_HITS.labels("checkpoint")._value.get() == hits + 1


async def test_a_changed_local_file_is_checked_again_and_replaced(tiny_src, store, tmp_path):
    model = await upload(store, tiny_src, "m1")
    cache = ModelCache(tmp_path / "cache", store, budget_bytes=10**9)
    folder = await cache.materialize(model)
    unet = unet_file(model)
    with open(folder / unet.path, "r+b") as f:  # bit rot on the worker's disk, same size
        f.seek(100)
        f.write(b"\x00" * 8)
    os.utime(folder / unet.path, ns=(1, 1))
    await cache.materialize(model)
    assert store.fetches[unet.key] == 2
    assert hashlib.sha256((folder / unet.path).read_bytes()).hexdigest() == unet.sha256


async def test_corrupt_stored_file_fails_with_reason_and_leaves_nothing(tiny_src, store, tmp_path):
    model = await upload(store, tiny_src, "m1")
    unet = unet_file(model)
    stored = store.root / unet.key
    data = bytearray(stored.read_bytes())
    data[-1] ^= 0xFF
    stored.write_bytes(bytes(data))
    cache = ModelCache(tmp_path / "cache", store, budget_bytes=10**9)

    with pytest.raises(GenerationFailed) as info:
        await cache.materialize(model)
    assert f"checksum mismatch for {unet.path}" in info.value.message
    assert info.value.details["model"] == "m1"
    assert not (tmp_path / "cache" / "m1" / unet.path).exists()
    # the files that did verify are kept: a retry after the store is repaired fetches only the bad one
    await store.put_file(unet.key, tiny_src / unet.path)
    before = sum(store.fetches.values())
    await cache.materialize(model)
    assert sum(store.fetches.values()) == before + 1


async def test_wrong_size_is_refused(tiny_src, store, tmp_path):
    model = await upload(store, tiny_src, "m1")
    files = [f.model_copy(update={"size": f.size + 1}) if f.path == "model_index.json" else f for f in model.files]
    cache = ModelCache(tmp_path / "cache", store, budget_bytes=10**9)
    with pytest.raises(GenerationFailed, match="size mismatch"):
        await cache.materialize(model.model_copy(update={"files": files}))


async def test_concurrent_materialize_downloads_each_file_once(tiny_src, store, tmp_path):
    model = await upload(store, tiny_src, "m1")
    cache = ModelCache(tmp_path / "cache", store, budget_bytes=10**9)
    paths = await asyncio.gather(*(cache.materialize(model) for _ in range(3)))
    assert len(set(paths)) == 1
    assert len(store.fetches) == len(model.files) and set(store.fetches.values()) == {1}


async def test_lru_budget_evicts_other_models_and_both_still_work(tiny_src, store, tmp_path):
    a = await upload(store, tiny_src, "ma")
    b = await upload(store, tiny_src, "mb")
    cache = ModelCache(tmp_path / "cache", store, budget_bytes=a.size + 4096)  # room for one model
    evictions = metrics.CACHE_EVICTIONS._value.get()
    for model in (a, b, a, b):
        folder = await cache.materialize(model)
        assert (folder / "model_index.json").is_file()
        assert sorted(p.name for p in cache.root.iterdir()) == [model.id]
    assert metrics.CACHE_EVICTIONS._value.get() - evictions == 3
    assert store.fetches[unet_file(a).key] == 2


async def test_a_model_in_use_is_never_evicted(tiny_src, store, tmp_path):
    a = await upload(store, tiny_src, "ma")
    b = await upload(store, tiny_src, "mb")
    cache = ModelCache(tmp_path / "cache", store, budget_bytes=a.size + 4096)
    async with cache.use(a) as folder_a:
        await cache.materialize(b)  # over budget, but a is loading: keep it
        assert (folder_a / unet_file(a).path).is_file()
    await cache.materialize(b)
    assert not folder_a.exists()  # released, so now it goes


async def test_lru_order_survives_a_restart(tiny_src, store, tmp_path):
    models = [await upload(store, tiny_src, f"m{i}") for i in range(3)]
    size = models[0].size
    first = ModelCache(tmp_path / "cache", store, budget_bytes=10**9)
    for model in (models[0], models[1], models[2], models[0]):  # m1 is now the least recently used
        await first.materialize(model)
        await asyncio.sleep(0.01)
    restarted = ModelCache(tmp_path / "cache", store, budget_bytes=2 * size + 8192)
    assert await restarted.evict() == ["m1"]


@pytest.mark.parametrize("path", ["../escape.json", "/etc/passwd", "unet/../../x", "a\\b", MARKER])
async def test_unsafe_file_paths_are_refused(tiny_src, store, tmp_path, path):
    model = await upload(store, tiny_src, "m1")
    bad = model.model_copy(update={"files": [*model.files, model.files[0].model_copy(update={"path": path})]})
    cache = ModelCache(tmp_path / "cache", store, budget_bytes=10**9)
    with pytest.raises(InvalidInput, match="model"):
        await cache.materialize(bad)
    assert not store.fetches  # refused before any download
    assert not (tmp_path / "escape.json").exists()


@pytest.mark.parametrize("model_id", ["..", "a/b", ".hidden", ""])
async def test_unsafe_model_ids_are_refused(tiny_src, store, tmp_path, model_id):
    model = await upload(store, tiny_src, "m1")
    cache = ModelCache(tmp_path / "cache", store, budget_bytes=10**9)
    with pytest.raises(InvalidInput, match="safe folder name"):
        await cache.materialize(model.model_copy(update={"id": model_id}))
    assert not store.fetches


async def test_builtin_and_malformed_single_file_models_are_refused(tiny_src, store, tmp_path):
    model = await upload(store, tiny_src, "m1")
    cache = ModelCache(tmp_path / "cache", store, budget_bytes=10**9)
    with pytest.raises(InvalidInput, match="not fetched"):
        await cache.materialize(model.model_copy(update={"format": "builtin"}))
    with pytest.raises(InvalidInput, match="one .safetensors file"):
        await cache.materialize(model.model_copy(update={"format": "safetensors"}))


# --- loading what the cache materialized -------------------------------------------------------------------------

TINY = ModelInfo(id="m-tiny", name="tiny-sd", kind="checkpoint", base="tiny", source="builtin:tiny-sd")


def spec(model: ModelInfo, **over) -> jobs.GenerationSpec:
    fields = dict(prompt="a lighthouse at dusk", model=model, sampler="Euler a", steps=2, cfg_scale=7.0,
                  width=64, height=64, seeds=[123])
    return jobs.GenerationSpec(**(fields | over))


async def test_engine_loads_a_materialized_diffusers_folder(tiny_src, store, tmp_path):
    model = await upload(store, tiny_src, "m-fetched")
    cache = ModelCache(tmp_path / "cache", store, budget_bytes=10**9)
    engine = GenerationEngine(tmp_path / "engine", device="cpu", max_loaded=1)
    folder = await cache.materialize(model)
    assert await asyncio.to_thread(engine.load, model, folder) > 0.0
    fetched = await asyncio.to_thread(engine.generate, spec(model), lambda *a: None)
    builtin = await asyncio.to_thread(engine.generate, spec(TINY), lambda *a: None)
    assert np.array_equal(np.asarray(fetched[0]), np.asarray(builtin[0]))  # same weights, same seed
    # switching back reloads the fetched model from where the cache put it
    again = await asyncio.to_thread(engine.generate, spec(model), lambda *a: None)
    assert np.array_equal(np.asarray(again[0]), np.asarray(fetched[0]))


async def test_engine_loads_a_web_ui_single_file_checkpoint(tiny_src, store, tmp_path):
    single = to_single_file(tiny_src, tmp_path / "tiny-webui.safetensors")
    data = single.read_bytes()
    key = f"{TENANT}/models/m-single/tiny-webui.safetensors"
    await store.put_file(key, single)
    model = ModelInfo(id="m-single", name="tiny webui", kind="checkpoint", base="tiny", source=f"store:{key}",
                      format="safetensors", sha256=hashlib.sha256(data).hexdigest(), size=len(data),
                      files=[ModelFile(path="tiny-webui.safetensors", key=key, size=len(data),
                                       sha256=hashlib.sha256(data).hexdigest())])
    cache = ModelCache(tmp_path / "cache", store, budget_bytes=10**9)
    path = await cache.materialize(model)
    assert path == tmp_path / "cache" / "m-single" / "tiny-webui.safetensors" and path.is_file()
    engine = GenerationEngine(tmp_path / "engine", device="cpu")
    await asyncio.to_thread(engine.load, model, path)
    fetched = await asyncio.to_thread(engine.generate, spec(model), lambda *a: None)
    builtin = await asyncio.to_thread(engine.generate, spec(TINY), lambda *a: None)
    assert np.array_equal(np.asarray(fetched[0]), np.asarray(builtin[0]))  # the same weights in the other layout


async def test_engine_loads_a_web_ui_single_file_sdxl_checkpoint(tmp_path):
    """An SDXL .safetensors in the original layout, shaped by EASEL_MODEL_CONFIG_DIR/sdxl: the built-in's pixels."""
    configs = tmp_path / "configs"
    folder = build_tiny_sdxl(configs / "sdxl")
    single = to_single_file(folder, tmp_path / "xl.safetensors", xl=True)
    for weights in folder.rglob("*.safetensors"):
        weights.unlink()  # a config folder holds the family's configs and tokenizers, no weights
    model = ModelInfo(id="m-xl", name="xl", kind="checkpoint", base="sdxl", source="store:x", format="safetensors")
    engine = GenerationEngine(tmp_path / "engine", device="cpu", config_dir=configs)
    builtin = ModelInfo(id="builtin-tiny-sdxl", name="tiny-sdxl", kind="checkpoint", base="sdxl",
                        source="builtin:tiny-sdxl")
    images = [await asyncio.to_thread(engine.generate, spec(m), lambda *a: None, {m.id: single})
              for m in (model, builtin)]
    assert np.array_equal(np.asarray(images[0][0]), np.asarray(images[1][0]))


async def test_engine_without_fetched_files_fails_clearly(tmp_path, tiny_src, store):
    model = await upload(store, tiny_src, "m-never")
    engine = GenerationEngine(tmp_path / "engine", device="cpu")
    with pytest.raises(GenerationFailed, match="not been fetched"):
        engine.load(model)


async def test_single_file_without_local_config_names_the_setting(tmp_path):
    model = ModelInfo(id="m-sd15", name="dreamy", kind="checkpoint", base="sd15", source="store:x",
                      format="safetensors", files=[ModelFile(path="dreamy.safetensors", key="t1/models/x/d",
                                                             size=4, sha256="0" * 64)])
    file = tmp_path / "dreamy.safetensors"
    file.write_bytes(b"1234")
    engine = GenerationEngine(tmp_path / "engine", device="cpu")
    with pytest.raises(InvalidInput, match="EASEL_MODEL_CONFIG_DIR"):
        engine.load(model, local=file)


# --- the worker: materialize, then load and generate --------------------------------------------------------------


def worker_for(tmp_path: Path, store: LocalStore, engine) -> Worker:
    settings = WorkerSettings(data_dir=tmp_path / "data", cache_budget_bytes=10**9)
    return Worker(settings, SilentNats(), engine, store)


def job_for(model: ModelInfo) -> jobs.JobSubmitted:
    owner = common.Principal(user_id="u1", tenant_id=TENANT, username="alice")
    return jobs.JobSubmitted(job_id="j1", principal=owner, pool="default", spec=spec(model),
                             image_keys=[image_key(TENANT, "u1", "j1", 0)], submitted_at=now())


async def test_worker_fetches_the_model_then_generates(tiny_src, store, tmp_path):
    model = await upload(store, tiny_src, "m-job")
    engine = GenerationEngine(tmp_path / "engine", device="cpu", max_loaded=1)
    worker = worker_for(tmp_path, store, engine)
    await worker.presence.start()  # as a started worker: it has said what its cache holds (nothing)
    try:
        assert worker.presence.snapshot().cached == []
        result = await worker._generate(job_for(model), 1)
        await worker.presence.job_ended()
        # said as soon as the job that fetched it ends, not at the next heartbeat: the router sends it the model's jobs
        assert worker.presence.snapshot().cached == ["m-job"]
    finally:
        await worker.presence.stop()
    assert result.image_keys == [image_key(TENANT, "u1", "j1", 0)]
    assert (await store.get(result.image_keys[0])).startswith(b"\x89PNG")
    assert (worker.settings.store_cache_dir / "m-job" / "model_index.json").is_file()
    assert engine.loaded_models() == ["m-job"]


async def test_worker_fails_fast_on_a_corrupt_model(tiny_src, store, tmp_path):
    model = await upload(store, tiny_src, "m-bad")
    unet = unet_file(model)
    (store.root / unet.key).write_bytes(b"not a safetensors file" * 10)
    engine = GenerationEngine(tmp_path / "engine", device="cpu")
    worker = worker_for(tmp_path, store, engine)
    with pytest.raises(GenerationFailed, match=f"size mismatch .* for {unet.path}"):
        await worker._generate(job_for(model), 1)
    assert engine.loaded_models() == []
