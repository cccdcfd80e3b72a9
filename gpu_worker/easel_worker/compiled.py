"""Compiled UNet/VAE artefacts in the object store (`_compiled/`), so one worker's compile serves every worker
of the deployment whose key matches (engine/compile.py: model hash, bucket, torch and diffusers, GPU kind, mode).

The compile thread calls get and put; they run on the worker's event loop, where the store's client lives.
Artefacts are code torch runs: only workers write them (EASEL_COMPILE_CACHE_STORE), under a prefix no tenant's
key can name.
"""

from __future__ import annotations

import asyncio
import logging

from easel_common.storage import ObjectStore

log = logging.getLogger(__name__)
PREFIX = "_compiled"


class StoreMirror:
    """engine.compile.Mirror over the object store, called from the compile thread."""

    def __init__(self, store: ObjectStore, loop: asyncio.AbstractEventLoop, timeout_s: float = 120.0) -> None:
        self.store, self.loop, self.timeout_s = store, loop, timeout_s

    def get(self, name: str) -> bytes | None:
        """The artefacts saved under name, or None (absent, or the store did not answer: compile instead)."""
        key = f"{PREFIX}/{name}"
        try:
            if not self._wait(self.store.exists(key)):
                return None
            return self._wait(self.store.get(key))
        except Exception as exc:
            log.warning("compiled artefacts %s could not be read from the object store: %s", key, exc)
            return None

    def put(self, name: str, data: bytes) -> None:
        key = f"{PREFIX}/{name}"
        try:
            self._wait(self.store.put(key, data))
        except Exception as exc:  # the local copy still serves this worker
            log.warning("compiled artefacts %s could not be written to the object store: %s", key, exc)

    def _wait(self, coro):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(self.timeout_s)
