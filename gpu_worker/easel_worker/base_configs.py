"""Each base's diffusers configs and tokenizer, copied from the object store into the worker's cache.

The registry keeps them under `_configs/{base}/` (easel_registry.base_configs); a single-file checkpoint of that
base loads with them (engine.loading.config_folder), so workers need no hand-made EASEL_MODEL_CONFIG_DIR, which
still wins where it is set. A base's folder is fetched whole into a temporary folder and renamed into place, so a
folder with a model_index.json is always complete; it is a few megabytes and is never evicted.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import uuid
from pathlib import Path

from easel_common.storage import TMP_PREFIX, ObjectStore, check_key
from easel_proto.errors import EaselError

log = logging.getLogger(__name__)
PREFIX = "_configs"  # the registry's shared prefix (easel_registry.base_configs.PREFIX)
FOLDER = "base-configs"  # under the engine's cache_dir: what engine.loading.config_folder looks in
BASES = frozenset({"sd15", "sd21", "sdxl"})
_locks: dict[tuple[Path, str], asyncio.Lock] = {}


async def fetch(store: ObjectStore, base: str, root: Path) -> Path | None:
    """root/base with the base's configs, fetched when missing; None when the store has none for it."""
    dest = root / base
    if base not in BASES:
        return None
    if (dest / "model_index.json").is_file():
        return dest
    async with _locks.setdefault((root, base), asyncio.Lock()):  # one download however many jobs ask
        if (dest / "model_index.json").is_file():
            return dest
        keys = await store.list(f"{PREFIX}/{base}/")
        if f"{PREFIX}/{base}/model_index.json" not in keys:
            return None
        tmp = root / f"{TMP_PREFIX}{base}-{uuid.uuid4().hex}"
        try:
            for key in keys:
                rel = key[len(f"{PREFIX}/{base}/"):]
                check_key(rel, "path")
                await store.get_file(key, tmp / rel)
            await asyncio.to_thread(shutil.rmtree, dest, True)  # a partial folder from an older layout
            tmp.rename(dest)
        finally:
            await asyncio.to_thread(shutil.rmtree, tmp, True)
    log.info("fetched the %s configs from the object store (%d files)", base, len(keys))
    return dest


async def fetch_quietly(store: ObjectStore, base: str, root: Path) -> Path | None:
    """fetch, logging instead of failing: without them the engine refuses the load naming what is missing."""
    try:
        return await fetch(store, base, root)
    except (EaselError, OSError) as exc:
        log.warning("could not fetch the %s configs from the object store: %s", base, exc)
        return None
