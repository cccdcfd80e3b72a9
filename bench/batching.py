"""Cross-request batching benchmark: N single-image txt2img jobs, one by one and as one batch.

Usage: .venv/bin/python bench/batching.py [--jobs N] [--steps S] [--size PX] [--repeats R] [--device DEV] [--json]

Runs the engine in this process on the built-in tiny-sd (random weights, SD 1.5's structure at a fraction of its
size): `GenerationEngine.generate` for each job in turn, then `generate_batch` over all of them (each job its own
prompt and seed, as the worker batches queued jobs), and prints images/s of both, their ratio, and the largest
pixel difference between a job's image alone and batched. It asserts nothing. On a CPU, and with a model this small,
the ratio says little about a GPU running SD 1.5: run it on the worker's GPU for that.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from easel_proto.v1.jobs import GenerationSpec
from easel_proto.v1.registry import ModelInfo
from easel_worker.engine import GenerationEngine

TINY = ModelInfo(id="builtin-tiny-sd", name="tiny-sd", kind="checkpoint", base="tiny", source="builtin:tiny-sd")


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--jobs", type=int, default=8, help="jobs (one image each) per batch (default 8)")
    p.add_argument("--steps", type=int, default=20, help="steps per job (default 20)")
    p.add_argument("--size", type=int, default=64, help="image side (default 64)")
    p.add_argument("--repeats", type=int, default=3, help="runs per figure; the median is reported")
    p.add_argument("--device", default=None, help="torch device (default: cuda when available, else cpu)")
    p.add_argument("--json", action="store_true", help="also print the results as one JSON line")
    return p.parse_args()


def jobs(n: int, steps: int, size: int) -> list[GenerationSpec]:
    return [GenerationSpec(prompt=f"a watercolor painting, number {i}", negative_prompt="blurry", model=TINY,
                           sampler="Euler a", steps=steps, cfg_scale=7.0, width=size, height=size, seeds=[1000 + i])
            for i in range(n)]


def timed(run, device: torch.device):
    if device.type == "cuda":
        torch.cuda.synchronize()
    started = time.perf_counter()
    out = run()
    if device.type == "cuda":
        torch.cuda.synchronize()
    return time.perf_counter() - started, out


def main() -> None:
    args = parse_args()
    with tempfile.TemporaryDirectory() as cache:
        engine = GenerationEngine(Path(cache), device=args.device)
        engine.load(TINY)
        specs = jobs(args.jobs, args.steps, args.size)
        engine.generate(specs[0], lambda d, t: None)  # warm-up
        alone_s, batch_s = [], []
        alone = batched = None
        for _ in range(args.repeats):
            seconds, alone = timed(lambda: [engine.generate(s, lambda d, t: None)[0] for s in specs], engine.device)
            alone_s.append(seconds)
            seconds, batched = timed(lambda: engine.generate_batch(specs, [lambda d, t: None] * len(specs)),
                                     engine.device)
            batch_s.append(seconds)
        diff = max(int(np.abs(np.asarray(a).astype(int) - np.asarray(b[0]).astype(int)).max())
                   for a, b in zip(alone, batched, strict=True))
    one, together = statistics.median(alone_s), statistics.median(batch_s)
    result = {"device": str(engine.device), "torch": torch.__version__, "jobs": args.jobs, "steps": args.steps,
              "size": args.size, "alone_images_per_s": args.jobs / one, "batched_images_per_s": args.jobs / together,
              "ratio": one / together, "max_pixel_difference": diff}
    print(f"{args.jobs} jobs of 1 image, {args.steps} steps, {args.size}px, tiny-sd (random weights) on "
          f"{result['device']} (torch {torch.__version__})")
    print(f"  one by one : {result['alone_images_per_s']:.2f} images/s")
    print(f"  one batch  : {result['batched_images_per_s']:.2f} images/s  ({result['ratio']:.2f}x)")
    print(f"  largest pixel difference alone vs batched: {diff}/255")
    if args.json:
        print(json.dumps(result))


if __name__ == "__main__":
    main()
