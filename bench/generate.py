"""Generation benchmark: denoising speed and image throughput of the worker's engine, per model family.

Usage: .venv/bin/python bench/generate.py [--full] [--steps N] [--batch B] [--size S] [--repeats R] [--json]
       [--compile MODE] [--batches 8,16] [--token-merging RATIO]     (bench/gpu.sh runs the full comparison on one GPU)

Every figure goes through GenerationEngine.generate, the path a job takes (prompt encoding, a fresh scheduler,
the diffusers pipeline, VAE decode, PIL images), with sampler Euler a:
  it/s       denoising iterations per second at batch 1, from the step callbacks (first to last step, so prompt
             encoding and VAE decode are left out);
  images/s   whole jobs of B images at `--steps`, end to end, divided into B.
Models: the built-in tiny-sd and tiny-sdxl (toy size, random weights) always, at 64x64; with --full and a CUDA
device also the full-size SD1.5 and SDXL architectures with random weights (fp16, built from configs written here
and in model_load.py; weights do not change speed), at 512x512 and 1024x1024 unless --size, each measured beside
plain diffusers (fp16, SDPA, eager) in the same run, as ratios, with peak memory and a cold worker's time to its
first image without and with the compile cache (gpu_full.py), and (--token-merging) batch-1 it/s with token merging,
which runs eagerly, beside Easel's eager figure. Goals (issue 15): SD1.5 batch-1 it/s >= 3x plain,
SD1.5 30-step images/s >= 2x plain's best batch, SDXL batch-1 it/s >= 1.7x plain. It prints figures and asserts
nothing.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch

from easel_proto.v1.jobs import GenerationSpec
from easel_proto.v1.registry import ModelInfo
from easel_worker.engine import GenerationEngine, ensure_tiny_sd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from random_models import build_sd15, build_sdxl, machine, sync  # noqa: E402  (a sibling module)


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--full", action="store_true", help="also full-size SD1.5 and SDXL architectures (needs CUDA)")
    p.add_argument("--steps", type=int, default=30, help="steps per job (default 30)")
    p.add_argument("--batch", type=int, default=8, help="images per job for images/s (default 8)")
    p.add_argument("--size", type=int, default=None, help="image side for the full-size models")
    p.add_argument("--repeats", type=int, default=3, help="runs per figure (median and best are reported)")
    p.add_argument("--device", default=None, help="torch device (default: cuda when available, else cpu)")
    p.add_argument("--json", action="store_true", help="also print the results as one JSON line")
    p.add_argument("--compile", default="default", help="EASEL_COMPILE for the full-size models (default: default)")
    p.add_argument("--batches", default="4,8,16",
                   help="SD1.5 30-step throughput: plain diffusers tries each batch size, Easel the largest (--full)")
    p.add_argument("--token-merging", type=float, default=0.5, metavar="RATIO",
                   help="also batch-1 it/s with token merging at RATIO (the web UI's token_merging_ratio; eager, "
                        "as such jobs run); 0: not measured (default 0.5)")
    return p.parse_args()



def spec(model: ModelInfo, size: int, steps: int, batch: int, token_merging: float = 0.0) -> GenerationSpec:
    return GenerationSpec(prompt="a lighthouse on a cliff at dusk, oil painting", negative_prompt="blurry",
                          model=model, sampler="Euler a", steps=steps, cfg_scale=7.0, width=size, height=size,
                          seeds=list(range(batch)), batch_size=batch, token_merging_ratio=token_merging)


def iterations_per_second(engine: GenerationEngine, job: GenerationSpec, device: torch.device) -> float:
    """Denoising iterations per second, first step callback to last."""
    stamps: list[float] = []

    def on_step(done: int, total: int) -> None:
        sync(device)
        stamps.append(time.perf_counter())

    engine.generate(job, on_step)
    return (len(stamps) - 1) / (stamps[-1] - stamps[0])


def images_per_second(engine: GenerationEngine, job: GenerationSpec, device: torch.device) -> float:
    sync(device)
    started = time.perf_counter()
    engine.generate(job, lambda done, total: None)
    sync(device)
    return len(job.seeds) / (time.perf_counter() - started)


def measure(label: str, engine: GenerationEngine, model: ModelInfo, size: int, args: argparse.Namespace,
            device: torch.device) -> dict:
    engine.generate(spec(model, size, 2, 1), lambda done, total: None)  # load, and warm the kernels up
    its = [iterations_per_second(engine, spec(model, size, args.steps, 1), device) for _ in range(args.repeats)]
    ips = [images_per_second(engine, spec(model, size, args.steps, args.batch), device) for _ in range(args.repeats)]
    row = {"model": label, "size": f"{size}x{size}", "steps": args.steps, "batch": args.batch,
           "it_per_s_median": statistics.median(its), "it_per_s_best": max(its),
           "images_per_s_median": statistics.median(ips), "images_per_s_best": max(ips)}
    print(f"{label:<10} {row['size']:>9}  it/s (batch 1): median {row['it_per_s_median']:8.2f}  best "
          f"{row['it_per_s_best']:8.2f}   images/s (batch {args.batch}, {args.steps} steps): median "
          f"{row['images_per_s_median']:7.3f}  best {row['images_per_s_best']:7.3f}", flush=True)
    if args.token_merging:
        tome = [iterations_per_second(engine, spec(model, size, args.steps, 1, args.token_merging), device)
                for _ in range(args.repeats)]
        row |= {"token_merging_ratio": args.token_merging, "token_merging_it_per_s_best": max(tome)}
        print(f"{label:<10} {row['size']:>9}  it/s (batch 1) with token merging {args.token_merging:g}: best "
              f"{max(tome):8.2f}", flush=True)
    return row


def main() -> None:
    args = parse_args()
    device = torch.device(args.device or ("cuda" if torch.cuda.is_available() else "cpu"))
    info = machine(device)
    print("machine: " + ", ".join(f"{k} {v}" for k, v in info.items()))
    rows, full = [], None
    with tempfile.TemporaryDirectory(prefix="easel-bench-generate-") as tmp:
        work = Path(tmp)
        engine = GenerationEngine(work / "cache", device=str(device), max_loaded=1)
        for name, base in (("tiny-sd", "tiny"), ("tiny-sdxl", "sdxl")):
            model = ModelInfo(id=f"builtin-{name}", name=name, kind="checkpoint", base=base, source=f"builtin:{name}")
            rows.append(measure(name, engine, model, 64, args, device))
        if args.full and device.type != "cuda":
            print("full-size models skipped: they need a CUDA device")
        elif args.full:
            import gpu_full

            del engine
            tokenizers = ensure_tiny_sd(work / "cache", "tiny-sdxl")  # the tiny tokenizers' ids fit CLIP's vocab
            full = gpu_full.run(args, work, tokenizers, {"sd15": build_sd15, "sdxl": build_sdxl})
    if args.json:
        print(json.dumps({"machine": info, "results": rows} | ({"full": full} if full else {})))


if __name__ == "__main__":
    main()
