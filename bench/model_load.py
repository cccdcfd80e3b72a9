"""Model load benchmark: how long a worker takes to get a model from the object store onto its device.

Usage: .venv/bin/python bench/model_load.py [--repeats N] [--s3] [--sd15] [--device cpu|cuda] [--json]
(`make bench` runs it after bench/dispatch.py, with $(BENCH_ARGS): `make bench BENCH_ARGS="--s3 --sd15"`.)

For each model it uploads the diffusers folder into an object store as the registry does (a LocalStore folder;
with --s3 also an S3 bucket served by moto on loopback), then, each phase N times:
  cold    empty disk cache, new engine: ModelCache fetch + sha256 verify, then GenerationEngine.load;
  warm    files already verified on disk (a new ModelCache and engine, as after a worker restart): load;
  hot     the pipeline already resident: GenerationEngine.load returns at once;
  lora    a LoRA job: read the .safetensors file into peft adapters (first use), activate them (attach) and
          disable them after the job (detach); then the same LoRA again while resident.
Models: the built-in tiny model (toy size, random weights) always; with --sd15 and a CUDA device a full-size
Stable Diffusion 1.5 architecture (UNet 860M, VAE, CLIP ViT-L text encoder) with random weights, built from
configs written here (no hub), saved as fp16 safetensors. Without CUDA that part is skipped (and says so).
A LocalStore's files may sit in the OS page cache, so "cold" there measures copy + verify + load, not a disk
read. It prints figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import hashlib
import json
import logging
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import torch

from easel_common.storage import LocalStore, ObjectStore, S3Store
from easel_proto.v1.jobs import GenerationSpec, LoraSpec
from easel_proto.v1.registry import ModelFile, ModelInfo
from easel_worker.cache import ModelCache
from easel_worker.engine import GenerationEngine, build_tiny_sd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from random_models import build_sd15, machine, sync  # noqa: E402,F401  (a sibling module)

TENANT = "bench"
LORA_TARGETS = ["to_k", "to_q", "to_v", "to_out.0"]


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--repeats", type=int, default=3, help="runs per phase (median and min are reported)")
    p.add_argument("--s3", action="store_true", help="also measure cold loads from S3 (moto on loopback)")
    p.add_argument("--sd15", action="store_true", help="also a full-size SD1.5 architecture (needs CUDA)")
    p.add_argument("--sd15-on-cpu", action="store_true", help=argparse.SUPPRESS)  # slow; checks the code path
    p.add_argument("--device", default=None, help="torch device (default: cuda when available, else cpu)")
    p.add_argument("--json", action="store_true", help="also print the results as one JSON line")
    return p.parse_args()



# --- models -----------------------------------------------------------------------------------------------------



def make_lora(unet_dir: Path, dest: Path, rank: int, device: torch.device) -> Path:
    """A random LoRA on the UNet's attention projections, saved as one .safetensors file."""
    from diffusers import StableDiffusionPipeline, UNet2DConditionModel
    from peft import LoraConfig
    from peft.utils import get_peft_model_state_dict

    unet = UNet2DConditionModel.from_pretrained(unet_dir, local_files_only=True).to(device)
    torch.manual_seed(1)
    unet.add_adapter(LoraConfig(r=rank, lora_alpha=rank, target_modules=LORA_TARGETS, init_lora_weights=False))
    layers = {k: v.to(torch.float16) for k, v in get_peft_model_state_dict(unet).items()}
    StableDiffusionPipeline.save_lora_weights(dest, unet_lora_layers=layers, weight_name="lora.safetensors")
    del unet
    return dest / "lora.safetensors"


async def upload(store: ObjectStore, root: Path, model_id: str, **info: Any) -> ModelInfo:
    """Put a folder's (or one file's) files into the store as the registry does; return its ModelInfo."""
    paths = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
    files = []
    for path in paths:
        rel = path.name if root.is_file() else path.relative_to(root).as_posix()
        key = f"{TENANT}/models/{model_id}/{rel}"
        await store.put_file(key, path)
        with open(path, "rb") as f:
            digest = hashlib.file_digest(f, "sha256").hexdigest()
        files.append(ModelFile(path=rel, key=key, size=path.stat().st_size, sha256=digest))
    fields = dict(id=model_id, name=model_id, kind="checkpoint", base="tiny", source=f"store:{TENANT}/{model_id}",
                  format="diffusers", files=files, size=sum(f.size for f in files),
                  sha256=files[0].sha256 if root.is_file() else None)
    return ModelInfo(**(fields | info))


# --- measurements -----------------------------------------------------------------------------------------------



def release(device: torch.device) -> None:
    gc.collect()
    if device.type == "cuda":
        torch.cuda.empty_cache()


@contextlib.contextmanager
def timer(out: list[float], device: torch.device) -> Iterator[None]:
    sync(device)
    started = time.perf_counter()
    yield
    sync(device)
    out.append(time.perf_counter() - started)


class Figures:
    """Seconds per (model, store, phase), in the order first seen."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str, str], list[float]] = {}
        self.notes: dict[tuple[str, str, str], str] = {}

    def add(self, model: str, store: str, phase: str, seconds: float, note: str = "") -> None:
        self.rows.setdefault((model, store, phase), []).append(seconds)
        if note:
            self.notes[(model, store, phase)] = note


async def load_phases(fig: Figures, label: str, store_name: str, store: ObjectStore, model: ModelInfo,
                      work: Path, device: torch.device, repeats: int) -> None:
    """cold / warm / hot for one model from one store."""
    cache_root, engine_cache = work / f"cache-{store_name}", work / "engine"
    size = f"{sum(f.size for f in model.files) / 2**20:.0f} MiB, {len(model.files)} files"
    for _ in range(repeats):
        shutil.rmtree(cache_root, ignore_errors=True)
        fetch: list[float] = []
        with timer(fetch, device):
            local = await ModelCache(cache_root, store, 2**40).materialize(model)
        engine = GenerationEngine(engine_cache, device=str(device), max_loaded=1)
        load: list[float] = []
        with timer(load, device):
            engine.load(model, local=local)
        fig.add(label, store_name, "cold: fetch + verify", fetch[0], size)
        fig.add(label, store_name, "cold: load to device", load[0])
        fig.add(label, store_name, "cold: total", fetch[0] + load[0])
        hot: list[float] = []
        with timer(hot, device):
            engine.load(model, local=local)
        fig.add(label, store_name, "hot: resident", hot[0])
        del engine
        release(device)
        if store_name != "local":
            continue  # warm reads the disk cache; it is the same whatever the store
        warm: list[float] = []
        with timer(warm, device):
            local = await ModelCache(cache_root, store, 2**40).materialize(model)
            engine = GenerationEngine(engine_cache, device=str(device), max_loaded=1)
            engine.load(model, local=local)
        fig.add(label, store_name, "warm: disk cache + load", warm[0])
        del engine
        release(device)


async def lora_phases(fig: Figures, label: str, store: ObjectStore, model: ModelInfo, lora: ModelInfo,
                      work: Path, device: torch.device, repeats: int, size: int) -> None:
    """A LoRA's first use (file -> adapters) and its attach / detach, first and resident."""
    cache = ModelCache(work / "cache-local", store, 2**40)
    local, lora_path = await cache.materialize(model), await cache.materialize(lora)
    note = f"{lora.files[0].size / 2**10:.0f} KiB file"

    def job(*loras: LoraSpec) -> GenerationSpec:
        return GenerationSpec(prompt="a fox", model=model, sampler="Euler", steps=1, cfg_scale=7.0, width=size,
                              height=size, seeds=[1], loras=list(loras))

    for _ in range(repeats):
        engine = GenerationEngine(work / "engine", device=str(device), max_loaded=1)
        engine.load(model, local=local)
        engine.generate(job(), lambda *_: None)  # warm the kernels up
        plain: list[float] = []
        with timer(plain, device):
            engine.generate(job(), lambda *_: None)
        spec = job(LoraSpec(model=lora, weight=0.8))
        engine.generate(spec, lambda *_: None, files={lora.id: lora_path})
        first = engine.last_lora_timings
        engine.generate(spec, lambda *_: None)
        again = engine.last_lora_timings
        fig.add(label, "-", f"1-step job {size}px, no LoRA", plain[0])
        fig.add(label, "-", "lora: file -> adapter (first use)", first.load_s, note)
        fig.add(label, "-", "lora: attach (first use)", first.attach_s)
        fig.add(label, "-", "lora: detach", first.detach_s)
        fig.add(label, "-", "lora: attach (resident)", again.load_s + again.attach_s)
        fig.add(label, "-", "lora: detach (resident)", again.detach_s)
        del engine
        release(device)


async def bench_model(fig: Figures, label: str, folder: Path, base: str, stores: dict[str, ObjectStore],
                      work: Path, device: torch.device, repeats: int, lora_rank: int, size: int) -> None:
    models = {name: await upload(store, folder, f"{label}-{name.split()[0]}", base=base)
              for name, store in stores.items()}
    for name, store in stores.items():
        print(f"  {label}: load from {name} store...", file=sys.stderr)
        await load_phases(fig, label, name, store, models[name], work, device, repeats)
    print(f"  {label}: LoRA...", file=sys.stderr)
    lora_file = make_lora(folder / "unet", work / f"{label}-lora", lora_rank, device)
    lora = await upload(stores["local"], lora_file, f"{label}-lora", kind="lora", base=base, format="safetensors")
    await lora_phases(fig, label, stores["local"], models["local"], lora, work, device, repeats, size)


@contextlib.contextmanager
def moto_store() -> Iterator[S3Store]:
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield S3Store("easel-bench", endpoint_url=f"http://{host}:{port}", access_key_id="testing",
                      secret_access_key="testing-secret", create_bucket=True)
    finally:
        server.stop()


async def run(args: argparse.Namespace, work: Path, device: torch.device) -> tuple[Figures, list[str]]:
    fig, skipped = Figures(), []
    with contextlib.ExitStack() as stack:
        stores: dict[str, ObjectStore] = {"local": LocalStore(work / "objects")}
        if args.s3:
            stores["s3 (moto)"] = stack.enter_context(moto_store())
        tiny = build_tiny_sd(work / "src" / "tiny-sd")
        await bench_model(fig, "tiny", tiny, "tiny", stores, work, device, args.repeats, lora_rank=4, size=64)
        if args.sd15 and (device.type == "cuda" or args.sd15_on_cpu):
            print("  sd15: building a random full-size SD1.5...", file=sys.stderr)
            built: list[float] = []
            with timer(built, device):
                sd15 = build_sd15(work / "src" / "sd15", tiny, device)
            release(device)
            print(f"  sd15: built in {built[0]:.1f} s", file=sys.stderr)
            await bench_model(fig, "sd15", sd15, "sd15", stores, work, device, args.repeats, lora_rank=16,
                              size=512 if device.type == "cuda" else 64)
        elif args.sd15:
            skipped.append("sd15: skipped, no CUDA device (a full-size SD1.5 on the CPU is not a useful figure)")
        else:
            skipped.append("sd15: not asked (--sd15, on a CUDA device)")
    return fig, skipped


def fmt(seconds: float) -> str:
    return f"{seconds * 1e3:.2f} ms" if seconds < 1 else f"{seconds:.2f} s"


def report(info: dict[str, str], fig: Figures, skipped: list[str], repeats: int) -> dict[str, Any]:
    for key, value in info.items():
        print(f"{key:>9}: {value}")
    print(f"  repeats: {repeats} per phase (median, min)\n")
    header = ("model", "store", "phase", "median", "min", "")
    rows = [(m, s, p, fmt(statistics.median(v)), fmt(min(v)), fig.notes.get((m, s, p), ""))
            for (m, s, p), v in fig.rows.items()]
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(str(c).ljust(w) if i in (0, 1, 2, 5) else str(c).rjust(w)
                        for i, (c, w) in enumerate(zip(row, widths, strict=True))).rstrip())
    for line in skipped:
        print(line)
    return {"machine": info, "repeats": repeats, "skipped": skipped,
            "seconds": [{"model": m, "store": s, "phase": p, "median": statistics.median(v), "min": min(v)}
                        for (m, s, p), v in fig.rows.items()]}


def quiet() -> None:
    """Keep library progress bars and advice off the report."""
    import warnings

    from diffusers.utils import logging as diffusers_logging
    from transformers.utils import logging as transformers_logging

    diffusers_logging.set_verbosity_error()
    diffusers_logging.disable_progress_bar()
    transformers_logging.set_verbosity_error()
    transformers_logging.disable_progress_bar()
    warnings.filterwarnings("ignore", module="peft")


def main() -> None:
    args = parse_args()
    device = torch.device(args.device or ("cuda" if torch.cuda.is_available() else "cpu"))
    quiet()
    with tempfile.TemporaryDirectory(prefix="easel-bench-") as tmp:
        fig, skipped = asyncio.run(run(args, Path(tmp), device))
    out = report(machine(device), fig, skipped, args.repeats)
    if args.json:
        print(json.dumps(out))


if __name__ == "__main__":
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    main()
