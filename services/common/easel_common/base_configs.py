"""Each base's diffusers configs and tokenizer, as the registry keeps them in the object store (`_configs/{base}/`,
easel_registry.base_configs), copied into a local folder by whoever loads a single-file checkpoint of that base:
workers (easel_worker.base_configs) and the trainer.

A base's folder is fetched whole into a temporary folder and renamed into place, so a folder with a model_index.json
is always complete; it is a few megabytes.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import uuid
from pathlib import Path

from easel_common.storage import TMP_PREFIX, ObjectStore, check_key

log = logging.getLogger(__name__)
PREFIX = "_configs"  # the registry's shared prefix (easel_registry.base_configs.PREFIX)
BASES = frozenset({"sd15", "sd21", "sdxl"})
_locks: dict[tuple[Path, str], asyncio.Lock] = {}


async def available(store: ObjectStore, base: str) -> bool:
    """Whether the store holds the base's configs."""
    return base in BASES and await store.exists(f"{PREFIX}/{base}/model_index.json")


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
