"""The worker's disk cache of model artefacts: fetched from the object store, verified once, evicted LRU.

Layout: root/<model id>/<file path>, plus root/<model id>/.verified.json recording each file checked against
its sha256 (with the size and mtime it had then, so a file changed behind our back is checked again). The
marker's mtime is the model's last use, so a restarted worker keeps the LRU order.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import shutil
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from pathlib import Path
from typing import Any

from easel_common.storage import TMP_PREFIX, ObjectStore, check_key
from easel_proto.errors import EaselError, GenerationFailed, InvalidInput, NotFound
from easel_proto.v1.registry import ModelFile, ModelInfo
from easel_worker import metrics

log = logging.getLogger(__name__)

MARKER = ".verified.json"
FETCHED_FORMATS = frozenset({"diffusers", "safetensors"})  # "builtin" models are built locally, never fetched
PARALLEL_FILES = 4  # files fetched at once; each big file is itself fetched in parallel ranges by S3Store


class ModelCache:
    """Materializes models' files under root within budget_bytes; one download per file however many ask."""

    def __init__(self, root: Path, store: ObjectStore, budget_bytes: int) -> None:
        if budget_bytes < 0:
            raise ValueError("budget_bytes must be >= 0")
        self.root = Path(root)
        self.store = store
        self.budget_bytes = budget_bytes
        self._locks: dict[str, asyncio.Lock] = {}
        self._pins: Counter[str] = Counter()
        self._last_use: dict[str, float] = {}
        self._evicting = asyncio.Lock()
        self.version = 0  # counts changes to what the cache holds (a marker written, a model evicted)

    def local_path(self, model: ModelInfo) -> Path:
        """Where the model lives once materialized: its folder, or its one file for "safetensors"."""
        folder = self.root / model.id
        return folder / model.files[0].path if model.format == "safetensors" else folder

    async def materialize(self, model: ModelInfo) -> Path:
        """Return the model's local path with every file present and verified, fetching what is missing."""
        async with self.use(model) as path:
            return path

    @asynccontextmanager
    async def use(self, model: ModelInfo) -> AsyncIterator[Path]:
        """Materialize the model and keep it from eviction until the block ends (while it loads and runs)."""
        check_model(model)
        self._pins[model.id] += 1
        try:
            lock = self._locks.setdefault(model.id, asyncio.Lock())
            async with lock:  # single flight: later callers find the files verified
                downloaded = await self._fetch(model)
            kind = model.kind
            (metrics.CACHE_MISSES if downloaded else metrics.CACHE_HITS).labels(kind).inc()
            self._touch(model.id)
            await self.evict(keep=model.id)
            yield self.local_path(model)
        finally:
            self._pins[model.id] -= 1
            if self._pins[model.id] <= 0:
                del self._pins[model.id]
            self._touch(model.id)

    async def _fetch(self, model: ModelInfo) -> int:
        """Make every file present and verified; return the bytes downloaded."""
        folder = self.root / model.id
        verified = await asyncio.to_thread(_read_marker, folder)
        todo = [f for f in model.files if not _still_verified(folder / f.path, verified.get(f.path), f)]
        if not todo:
            return 0
        missing = sum(f.size for f in todo)
        await self.evict(keep=model.id, room=missing)  # make room before filling the disk
        gate = asyncio.Semaphore(PARALLEL_FILES)
        downloaded = 0

        async def one(file: ModelFile) -> None:
            nonlocal downloaded
            async with gate:
                got = await self._fetch_file(model, folder, file)
            downloaded += got
            verified[file.path] = _stamp(folder / file.path, file)

        results = await asyncio.gather(*(one(f) for f in todo), return_exceptions=True)
        # record what did verify even if another file failed: a retry fetches only the rest
        await asyncio.to_thread(_write_marker, folder, verified)
        self.version += 1
        for result in results:
            if isinstance(result, BaseException):
                raise result
        return downloaded

    async def _fetch_file(self, model: ModelInfo, folder: Path, file: ModelFile) -> int:
        """Verify a file already on disk, else download it; return the bytes downloaded."""
        dest = folder / file.path
        if dest.is_file() and await asyncio.to_thread(_matches, dest, file):
            return 0  # present (an older marker was lost or stale) and intact
        try:
            await self.store.get_file(file.key, dest)
        except NotFound:
            raise GenerationFailed(f"model {model.name!r}: {file.path} is missing from the object store",
                                   model=model.id, path=file.path, key=file.key) from None
        metrics.BYTES_DOWNLOADED.inc(file.size)
        problem = await asyncio.to_thread(_check, dest, file)
        if problem:
            dest.unlink(missing_ok=True)  # never leave a bad file where a later load would trust it
            raise GenerationFailed(f"model {model.name!r}: {problem} for {file.path}",
                                   model=model.id, path=file.path, key=file.key)
        return file.size

    async def evict(self, keep: str | None = None, room: int = 0) -> list[str]:
        """Remove least recently used, unpinned models until the rest (plus room) fit the budget."""
        async with self._evicting:
            entries = await asyncio.to_thread(self._scan)
            total = sum(size for _, size, _ in entries) + room
            evicted = []
            for model_id, size, _ in sorted(entries, key=lambda e: e[2]):
                if total <= self.budget_bytes:
                    break
                if model_id == keep or self._pins.get(model_id):
                    continue
                await asyncio.to_thread(shutil.rmtree, self.root / model_id, True)
                self.version += 1
                self._last_use.pop(model_id, None)
                self._locks.pop(model_id, None)  # unpinned, so nobody holds or awaits it
                total -= size
                evicted.append(model_id)
                metrics.CACHE_EVICTIONS.inc()
                log.info("evicted model %s from the disk cache (%d bytes)", model_id, size)
            if total > self.budget_bytes:
                log.warning("model cache holds %d bytes, over its %d byte budget: the rest is in use",
                            total, self.budget_bytes)
            return evicted

    def _scan(self) -> list[tuple[str, int, float]]:
        """(model id, bytes on disk, last use) of every model folder under root."""
        if not self.root.is_dir():
            return []
        entries = []
        for folder in self.root.iterdir():
            if not folder.is_dir() or folder.name.startswith("."):
                continue
            size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
            last = self._last_use.get(folder.name)
            if last is None:
                marker = folder / MARKER
                last = (marker if marker.exists() else folder).stat().st_mtime
            entries.append((folder.name, size, last))
        return entries

    def _touch(self, model_id: str) -> None:
        """Record a use in memory and on the marker's mtime, which survives a restart."""
        now = time.time()
        self._last_use[model_id] = now
        with suppress(OSError):
            os.utime(self.root / model_id / MARKER, (now, now))


def check_model(model: ModelInfo) -> None:
    """Refuse a model the cache cannot hold safely, naming the reason."""
    if model.format not in FETCHED_FORMATS:
        raise InvalidInput("model", f"{model.name!r} has format {model.format!r}, which is not fetched",
                           model_id=model.id)
    try:
        check_key(model.id, "model")
        safe_id = "/" not in model.id and not model.id.startswith(".")
    except EaselError:
        safe_id = False
    if not safe_id:
        raise InvalidInput("model", f"model id {model.id!r} is not a safe folder name", model_id=model.id)
    if not model.files:
        raise InvalidInput("model", f"{model.name!r} has no files", model_id=model.id)
    seen = set()
    for file in model.files:
        try:
            check_key(file.path, "path")
        except EaselError:
            raise InvalidInput("model", f"{model.name!r}: unsafe file path {file.path!r}",
                               model_id=model.id, path=file.path) from None
        if file.path == MARKER or file.path in seen:
            raise InvalidInput("model", f"{model.name!r}: file path {file.path!r} is reserved or repeated",
                               model_id=model.id, path=file.path)
        seen.add(file.path)
    if model.format == "safetensors" and (len(model.files) != 1 or not model.files[0].path.endswith(".safetensors")):
        raise InvalidInput("model", f"{model.name!r}: a safetensors model is one .safetensors file",
                           model_id=model.id)


def _check(path: Path, file: ModelFile) -> str | None:
    """What is wrong with a downloaded file, or None when its size and sha256 match."""
    size = path.stat().st_size
    if size != file.size:
        return f"size mismatch ({size} bytes, expected {file.size})"
    with open(path, "rb") as f:
        digest = hashlib.file_digest(f, "sha256").hexdigest()
    if digest != file.sha256:
        return "checksum mismatch"
    return None


def _matches(path: Path, file: ModelFile) -> bool:
    ok = _check(path, file) is None
    if not ok:
        path.unlink(missing_ok=True)
    return ok


def _stamp(path: Path, file: ModelFile) -> dict[str, Any]:
    st = path.stat()
    return {"sha256": file.sha256, "size": st.st_size, "mtime_ns": st.st_mtime_ns}


def _still_verified(path: Path, stamp: dict[str, Any] | None, file: ModelFile) -> bool:
    """True when the file is as it was when verified against this very digest."""
    if not stamp or stamp.get("sha256") != file.sha256:
        return False
    try:
        st = path.stat()
    except OSError:
        return False
    return st.st_size == stamp.get("size") == file.size and st.st_mtime_ns == stamp.get("mtime_ns")


def _read_marker(folder: Path) -> dict[str, dict[str, Any]]:
    try:
        data = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # none yet, or torn: every file is simply checked again
    files = data.get("files") if isinstance(data, dict) else None
    return files if isinstance(files, dict) else {}


def _write_marker(folder: Path, files: dict[str, dict[str, Any]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f"{TMP_PREFIX}{MARKER}"
    tmp.write_text(json.dumps({"files": files}, sort_keys=True), encoding="utf-8")
    os.replace(tmp, folder / MARKER)
