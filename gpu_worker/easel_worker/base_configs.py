"""Each base's diffusers configs and tokenizer, copied from the object store into the worker's cache.

The registry keeps them under `_configs/{base}/` (easel_registry.base_configs); a single-file checkpoint of that
base loads with them (engine.loading.config_folder), so workers need no hand-made EASEL_MODEL_CONFIG_DIR, which
still wins where it is set. A base's folder is fetched whole into a temporary folder and renamed into place, so a
folder with a model_index.json is always complete; it is a few megabytes and is never evicted.
"""

from __future__ import annotations

import logging
from pathlib import Path

from easel_common.base_configs import BASES, PREFIX, fetch
from easel_common.storage import ObjectStore
from easel_proto.errors import EaselError

log = logging.getLogger(__name__)
FOLDER = "base-configs"  # under the engine's cache_dir: what engine.loading.config_folder looks in
__all__ = ["BASES", "FOLDER", "PREFIX", "fetch", "fetch_quietly"]


async def fetch_quietly(store: ObjectStore, base: str, root: Path) -> Path | None:
    """fetch, logging instead of failing: without them the engine refuses the load naming what is missing."""
    try:
        return await fetch(store, base, root)
    except (EaselError, OSError) as exc:
        log.warning("could not fetch the %s configs from the object store: %s", base, exc)
        return None
