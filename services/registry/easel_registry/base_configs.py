"""Each base's diffusers configs and tokenizer, kept once in the object store for single-file checkpoints.

A web-UI-layout .safetensors holds weights only; diffusers' from_single_file needs its family's configs
(model_index.json, unet/vae/text encoder configs, scheduler, tokenizer). The registry fetches them once per base
from the Hugging Face Hub (EASEL_HF_ENDPOINT, a mirror for installs that have one), only .json and .txt files,
never weights, and keeps them under `_configs/{base}/` (a shared prefix: tenant ids start with a letter or digit,
so no tenant's prefix can be it). Workers copy them into their cache (easel_worker.base_configs). Offline
installs put them there with `easel configs import PATH` (a folder or a .tar/.zip archive).
"""

from __future__ import annotations

import asyncio
import json
import logging
import shutil
import tarfile
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

from easel_common.base_configs import PREFIX
from easel_common.storage import ObjectStore
from easel_proto.errors import InvalidInput
from easel_registry import safety
from easel_registry.settings import RegistrySettings

log = logging.getLogger(__name__)
# where each base's configs come from (the original repos; SD 1.5 from its maintained mirror)
REPOS = {
    "sd15": "stable-diffusion-v1-5/stable-diffusion-v1-5",
    "sd21": "stabilityai/stable-diffusion-2-1",
    "sdxl": "stabilityai/stable-diffusion-xl-base-1.0",
}
PIPELINES = {"sd15": "StableDiffusionPipeline", "sd21": "StableDiffusionPipeline",
             "sdxl": "StableDiffusionXLPipeline"}
# configs and tokenizer files only: a pattern that could match a weight file would download gigabytes
ALLOW_PATTERNS = ["model_index.json", "*/config.json", "scheduler/scheduler_config.json", "tokenizer*/*.json",
                  "tokenizer*/*.txt"]
MAX_FILE_BYTES = 16 * 1024 * 1024  # vocab.json is the largest (about 1 MB)
MAX_FILES = 64


def key(base: str, path: str = "model_index.json") -> str:
    return f"{PREFIX}/{base}/{path}"


def kept(path: str) -> bool:
    """A config or tokenizer file (never weights), at a safe relative path."""
    try:
        safety.check_path(path)
    except InvalidInput:
        return False
    return PurePosixPath(path).suffix in (".json", ".txt") and not path.endswith(".index.json")


def check_folder(base: str, folder: Path, field: str = "path") -> dict[str, Path]:
    """The files of one base's config folder, by relative path; InvalidInput naming what is missing or wrong."""
    if base not in REPOS:
        raise InvalidInput("base", f"{base!r} is not one of {', '.join(REPOS)}")
    files = {p.relative_to(folder).as_posix(): p for p in sorted(folder.rglob("*"))
             if p.is_file() and not p.is_symlink()}
    files = {rel: p for rel, p in files.items() if kept(rel)}
    if "model_index.json" not in files:
        raise InvalidInput(field, f"{base}: no model_index.json")
    if len(files) > MAX_FILES or any(p.stat().st_size > MAX_FILE_BYTES for p in files.values()):
        raise InvalidInput(field, f"{base}: more or larger files than a config folder holds")
    try:
        index = json.loads(files["model_index.json"].read_text(encoding="utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise InvalidInput(field, f"{base}: model_index.json is not JSON") from None
    if not isinstance(index, dict) or index.get("_class_name") != PIPELINES[base]:
        found = index.get("_class_name") if isinstance(index, dict) else None
        raise InvalidInput(field, f"{base}: model_index.json names {found!r}, not {PIPELINES[base]}")
    for part in ("unet", "vae", "text_encoder", "tokenizer", "scheduler"):
        if not any(rel.startswith(part + "/") for rel in files):
            raise InvalidInput(field, f"{base}: no {part}/ folder")
    return files


async def present(store: ObjectStore, base: str) -> bool:
    return await store.exists(key(base))


async def put(store: ObjectStore, base: str, files: dict[str, Path]) -> list[str]:
    """Replace the stored configs of `base`; model_index.json goes last, so its presence means complete."""
    old = set(await store.list(f"{PREFIX}/{base}/"))
    if key(base) in old:
        await store.delete(key(base))
    for rel in sorted(files, key=lambda r: r == "model_index.json"):
        await store.put_file(key(base, rel), files[rel], "application/json" if rel.endswith(".json")
                             else "text/plain")
    for stale in old - {key(base, rel) for rel in files}:
        await store.delete(stale)
    return sorted(files)


def fetch_from_hub(base: str, settings: RegistrySettings, dest: Path) -> Path:
    """Blocking: download `base`'s configs and tokenizer (no weights) into dest; InvalidInput if unreachable."""
    import httpx2  # huggingface_hub's HTTP client
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import HfHubHTTPError, LocalEntryNotFoundError

    repo = REPOS[base]
    try:
        snapshot_download(repo, local_dir=dest, allow_patterns=ALLOW_PATTERNS, token=False,
                          endpoint=settings.hf_endpoint.rstrip("/"), etag_timeout=settings.import_connect_timeout_s)
    except HfHubHTTPError as exc:
        raise InvalidInput("base", f"the hub refused {repo}: {str(exc).splitlines()[0][:200]}") from None
    except (LocalEntryNotFoundError, OSError, httpx2.HTTPError) as exc:
        raise InvalidInput("base", f"could not reach the Hugging Face Hub at {settings.hf_endpoint} for {repo}: "
                                   f"{type(exc).__name__}") from None
    shutil.rmtree(dest / ".cache", ignore_errors=True)  # huggingface_hub's own bookkeeping
    return dest


async def ensure(store: ObjectStore, base: str, settings: RegistrySettings, tmp_root: Path) -> bool:
    """Make `base`'s configs present in the store, fetching them from the hub once; False when unknown base."""
    if base not in REPOS:
        return False
    if await present(store, base):
        return True
    tmp_root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=tmp_root) as tmp:
        folder = await asyncio.to_thread(fetch_from_hub, base, settings, Path(tmp) / base)
        files = await asyncio.to_thread(check_folder, base, folder, "base")
        await put(store, base, files)
    log.info("stored the %s configs from %s (%d files)", base, REPOS[base], len(files))
    return True


def unpack(path: Path, dest: Path) -> Path:
    """A folder as is; a .tar(.gz) or .zip unpacked into dest, keeping only config files at safe paths."""
    if not path.exists():
        raise InvalidInput("path", f"{path} does not exist")
    if path.is_dir():
        return path
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            members = [m for m in z.infolist() if not m.is_dir() and kept(m.filename)]
            _check_sizes([m.file_size for m in members], path)
            for m in members:
                target = dest / m.filename
                target.parent.mkdir(parents=True, exist_ok=True)
                with z.open(m) as src, open(target, "wb") as out:
                    shutil.copyfileobj(src, out)
        return dest
    if tarfile.is_tarfile(path):
        with tarfile.open(path) as t:
            members = [m for m in t.getmembers() if m.isfile() and kept(m.name)]
            _check_sizes([m.size for m in members], path)
            t.extractall(dest, members=members, filter="data")
        return dest
    raise InvalidInput("path", f"{path.name} is neither a folder nor a .tar or .zip archive")


def _check_sizes(sizes: list[int], path: Path) -> None:
    if len(sizes) > MAX_FILES * len(REPOS) or any(s > MAX_FILE_BYTES for s in sizes):
        raise InvalidInput("path", f"{path.name} holds more or larger files than config folders do")


def bases_in(folder: Path, base: str | None) -> dict[str, Path]:
    """The base folders a path holds: `<base>/model_index.json` for each, or the folder itself with `base`."""
    if base is not None:
        inner = folder / base if (folder / base / "model_index.json").is_file() else folder
        return {base: inner}
    found = {b: folder / b for b in REPOS if (folder / b / "model_index.json").is_file()}
    if not found:
        raise InvalidInput("path", f"no {'/, '.join(REPOS)}/ folder with a model_index.json (or name the base "
                                   "of a single config folder with --base)")
    return found


async def import_path(store: ObjectStore, path: Path, base: str | None = None) -> dict[str, list[str]]:
    """Offline installs: store the configs a folder or archive holds; every base is checked before any is stored."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = await asyncio.to_thread(unpack, Path(path), Path(tmp))
        checked = {b: await asyncio.to_thread(check_folder, b, f) for b, f in bases_in(folder, base).items()}
        return {b: await put(store, b, files) for b, files in checked.items()}
