"""`bench/generate.py --full` on a GPU: Easel beside plain diffusers, same GPU, same run, same random weights.

Plain diffusers: the same architectures in float16 with SDPA attention, eager, Euler a, CFG 7, moved to the GPU
with `.to("cuda")` and nothing else. Easel: GenerationEngine as the worker builds it (EASEL_COMPILE=--compile),
measured once its background compile for the bucket is ready. The weights are random: speed does not depend on
them, the images are noise. A cold worker is a fresh process (fresh torch/inductor caches) that loads the model
and serves a first image (eagerly, while it compiles), timed without and then with Easel's compile cache.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

from easel_proto.v1.jobs import GenerationSpec
from easel_proto.v1.registry import ModelInfo
from easel_worker.engine import GenerationEngine

PROMPT, NEGATIVE = "a lighthouse on a cliff at dusk, oil painting", "blurry"
GOALS = {"sd15_it_per_s": 3.0, "sd15_images_per_s": 2.0, "sdxl_it_per_s": 1.7}
DEVICE = os.environ.get("EASEL_BENCH_DEVICE", "cuda")  # cpu: a smoke run of this script on tiny models


def sync() -> None:
    if DEVICE == "cuda":
        torch.cuda.synchronize()


def fresh_peak() -> None:
    if DEVICE == "cuda":
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()


def peak_gib() -> float:
    return torch.cuda.max_memory_allocated() / 2**30 if DEVICE == "cuda" else 0.0


def spec(model: ModelInfo, size: int, steps: int, batch: int, **over: Any) -> GenerationSpec:
    return GenerationSpec(prompt=PROMPT, negative_prompt=NEGATIVE, model=model, sampler="Euler a", steps=steps,
                          cfg_scale=7.0, width=size, height=size, seeds=list(range(batch)), batch_size=batch, **over)


# --- plain diffusers ------------------------------------------------------------------------------------------------

def plain_pipeline(folder: Path, base: str) -> Any:
    from diffusers import EulerAncestralDiscreteScheduler, StableDiffusionPipeline, StableDiffusionXLPipeline

    if base == "sdxl":
        pipe = StableDiffusionXLPipeline.from_pretrained(folder, torch_dtype=torch.float16, local_files_only=True,
                                                         add_watermarker=False)
    else:
        pipe = StableDiffusionPipeline.from_pretrained(folder, torch_dtype=torch.float16, local_files_only=True,
                                                       safety_checker=None, requires_safety_checker=False)
    pipe.scheduler = EulerAncestralDiscreteScheduler.from_config(pipe.scheduler.config)
    pipe.set_progress_bar_config(disable=True)
    return pipe.to(DEVICE)


def plain_run(pipe: Any, size: int, steps: int, batch: int, stamps: list[float] | None = None) -> None:
    def on_step(p: Any, i: int, t: Any, kwargs: dict) -> dict:
        if stamps is not None:
            sync()
            stamps.append(time.perf_counter())
        return kwargs

    pipe(prompt=[PROMPT] * batch, negative_prompt=[NEGATIVE] * batch, num_inference_steps=steps, guidance_scale=7.0,
         width=size, height=size, generator=torch.Generator("cpu").manual_seed(0), callback_on_step_end=on_step)


def plain_figures(pipe: Any, size: int, steps: int, batches: list[int], repeats: int) -> dict[str, Any]:
    plain_run(pipe, size, 2, 1)  # kernels warm
    its = []
    for _ in range(repeats):
        stamps: list[float] = []
        plain_run(pipe, size, steps, 1, stamps)
        its.append((len(stamps) - 1) / (stamps[-1] - stamps[0]))
    throughput = {}
    for batch in batches:
        plain_run(pipe, size, 2, batch)
        runs = []
        for _ in range(repeats):
            sync()
            started = time.perf_counter()
            plain_run(pipe, size, steps, batch)
            sync()
            runs.append(batch / (time.perf_counter() - started))
        throughput[batch] = max(runs)
    return {"it_per_s": max(its), "images_per_s": throughput}


# --- Easel ----------------------------------------------------------------------------------------------------------

def easel_job(engine: GenerationEngine, job: GenerationSpec, stamps: list[float] | None = None) -> list[Any]:
    def on_step(done: int, total: int) -> None:
        if stamps is not None:
            sync()
            stamps.append(time.perf_counter())

    return engine.generate(job, on_step)


def compiled(engine: GenerationEngine, job: GenerationSpec) -> list[Any]:
    """Run job (eager while its bucket compiles), wait for the compile; the eager images."""
    images = easel_job(engine, job)
    engine._compiler.wait()
    return images


def easel_figures(engine: GenerationEngine, model: ModelInfo, size: int, steps: int, batches: list[int],
                  repeats: int) -> dict[str, Any]:
    eager = compiled(engine, spec(model, size, steps, 1))
    again = easel_job(engine, spec(model, size, steps, 1))
    diff = int(np.abs(np.asarray(eager[0], dtype=np.int16) - np.asarray(again[0], dtype=np.int16)).max())
    its = []
    for _ in range(repeats):
        stamps: list[float] = []
        easel_job(engine, spec(model, size, steps, 1), stamps)
        its.append((len(stamps) - 1) / (stamps[-1] - stamps[0]))
    throughput = {}
    for batch in batches:
        compiled(engine, spec(model, size, 2, batch))
        runs = []
        for _ in range(repeats):
            sync()
            started = time.perf_counter()
            easel_job(engine, spec(model, size, steps, batch))
            sync()
            runs.append(batch / (time.perf_counter() - started))
        throughput[batch] = max(runs)
    states = sorted({s for part in engine._loaded[model.id].compiled for s in part.state.values()})
    return {"it_per_s": max(its), "images_per_s": throughput, "compiled_vs_eager_max_pixel_diff": diff,
            "compile_states": states}


def token_merging_figures(engine: GenerationEngine, model: ModelInfo, size: int, steps: int, ratio: float,
                          repeats: int) -> dict[str, Any]:
    """Batch-1 it/s with token merging (which runs eagerly: engine/tome.py) beside the same job eagerly without
    it, and how far its pixels are from that job's."""
    figures: dict[str, Any] = {"ratio": ratio}
    images = {}
    loaded = engine._loaded[model.id]
    kept, loaded.compiled = loaded.compiled, []  # no compiled graph serves either figure
    try:
        for name, merging in (("eager", 0.0), ("merged", ratio)):
            runs = []
            for _ in range(repeats):
                stamps: list[float] = []
                images[name] = easel_job(engine, spec(model, size, steps, 1, token_merging_ratio=merging), stamps)
                runs.append((len(stamps) - 1) / (stamps[-1] - stamps[0]))
            figures[f"{name}_it_per_s"] = max(runs)
    finally:
        loaded.compiled = kept
    figures["ratio_to_eager"] = figures["merged_it_per_s"] / figures["eager_it_per_s"]
    figures["mean_abs_pixel_diff"] = float(np.abs(np.asarray(images["merged"][0], dtype=np.int16)
                                                  - np.asarray(images["eager"][0], dtype=np.int16)).mean())
    return figures


def cold_worker(folder: Path, base: str, size: int, compile_mode: str, compile_cache: Path, scratch: Path) -> dict:
    """A fresh process: seconds to its first image and until its compiled graph served one."""
    env = dict(os.environ, TORCHINDUCTOR_CACHE_DIR=str(scratch / "inductor"), TRITON_CACHE_DIR=str(scratch / "triton"))
    out = subprocess.run([sys.executable, str(Path(__file__).resolve()), str(folder), base, str(size), compile_mode,
                          str(compile_cache), str(scratch / "engine")], env=env, capture_output=True, text=True,
                         check=False)
    lines = [x for x in out.stdout.splitlines() if x.startswith("{")]
    if out.returncode != 0 or not lines:
        return {"error": (out.stderr or out.stdout).strip()[-400:]}
    return json.loads(lines[-1])


def _cold_main(folder: str, base: str, size: str, compile_mode: str, compile_cache: str, cache: str) -> None:
    started = time.perf_counter()
    model = ModelInfo(id=base, name=base, kind="checkpoint", base=base, source=f"store:{base}", format="diffusers",
                      sha256=f"bench-{base}")
    engine = GenerationEngine(Path(cache), device=DEVICE, max_loaded=1, compile_mode=compile_mode,
                              compile_cache_dir=Path(compile_cache))
    engine.load(model, local=Path(folder))
    loaded = time.perf_counter() - started
    easel_job(engine, spec(model, int(size), 30, 1))
    sync()
    first = time.perf_counter() - started
    engine._compiler.wait()
    stamps: list[float] = []
    easel_job(engine, spec(model, int(size), 30, 1), stamps)
    ready = time.perf_counter() - started
    print(json.dumps({"load_s": loaded, "first_image_s": first, "compiled_image_s": ready,
                      "compiled_it_per_s": (len(stamps) - 1) / (stamps[-1] - stamps[0])}))


# --- the comparison ---------------------------------------------------------------------------------------------

def compare(label: str, folder: Path, base: str, size: int, args: Any, batches: list[int], work: Path) -> dict:
    """Plain diffusers, then Easel, on one model; peak memory of each."""
    fresh_peak()
    pipe = plain_pipeline(folder, base)
    plain = plain_figures(pipe, size, args.steps, batches, args.repeats)
    plain["peak_gib"] = peak_gib()
    del pipe
    fresh_peak()
    engine = GenerationEngine(work / "engine", device=DEVICE, max_loaded=1, compile_mode=args.compile,
                              compile_cache_dir=work / "compiled")
    model = ModelInfo(id=label, name=label, kind="checkpoint", base=base, source=f"store:{label}", format="diffusers",
                      sha256=f"bench-{label}")
    engine.load(model, local=folder)
    # Easel at the largest batch only: each batch size is a compile, and the compiled UNet does best at the largest
    easel = easel_figures(engine, model, size, args.steps, batches[-1:], args.repeats)
    easel["peak_gib"] = peak_gib()
    if getattr(args, "token_merging", 0):
        easel["token_merging"] = token_merging_figures(engine, model, size, args.steps, args.token_merging,
                                                       args.repeats)
    del engine
    fresh_peak()
    row = {"model": label, "size": f"{size}x{size}", "steps": args.steps, "plain": plain, "easel": easel,
           "it_per_s_ratio": easel["it_per_s"] / plain["it_per_s"]}
    if batches:
        best_plain = max(plain["images_per_s"].items(), key=lambda kv: kv[1])
        best_easel = max(easel["images_per_s"].items(), key=lambda kv: kv[1])
        row |= {"plain_best_batch": best_plain[0], "easel_best_batch": best_easel[0],
                "images_per_s_ratio": best_easel[1] / best_plain[1]}
    print_row(row)
    return row


def print_row(row: dict) -> None:
    e, p, name = row["easel"], row["plain"], row["model"]
    goal = GOALS.get(f"{name}_it_per_s")
    print(f"{name:<5} {row['size']:>9}  it/s batch 1: easel {e['it_per_s']:7.2f}  plain {p['it_per_s']:7.2f}  "
          f"ratio {row['it_per_s_ratio']:5.2f}" + (f" (goal {goal}x)" if goal else ""), flush=True)
    if "images_per_s_ratio" in row:
        best_e, best_p = max(e["images_per_s"].values()), max(p["images_per_s"].values())
        print(f"{name:<5} {row['size']:>9}  images/s at {row['steps']} steps: easel {best_e:6.2f}"
              f" (batch {row['easel_best_batch']})  plain {best_p:6.2f} (batch "
              f"{row['plain_best_batch']})  ratio {row['images_per_s_ratio']:5.2f} (goal "
              f"{GOALS.get(f'{name}_images_per_s', '-')}x)", flush=True)
    print(f"{name:<5} peak memory: easel {e['peak_gib']:.1f} GiB, plain {p['peak_gib']:.1f} GiB; compiled vs eager "
          f"max pixel difference {e['compiled_vs_eager_max_pixel_diff']}/255; compile states {e['compile_states']}",
          flush=True)
    if "token_merging" in e:
        t = e["token_merging"]
        print(f"{name:<5} {row['size']:>9}  it/s batch 1, eager: token merging {t['ratio']:g} "
              f"{t['merged_it_per_s']:7.2f}  without {t['eager_it_per_s']:7.2f}  ratio {t['ratio_to_eager']:5.2f}; "
              f"mean pixel difference {t['mean_abs_pixel_diff']:.1f}/255", flush=True)


def run(args: Any, work: Path, tokenizers: Path, builders: dict[str, Any]) -> dict[str, Any]:
    """Every full-size figure; returns them for --json."""
    print("weights: random (same architectures as SD1.5 and SDXL base); images are noise, speed is not")
    batches = sorted(int(b) for b in args.batches.split(",")) if args.batches else []
    rows, cold = [], {}
    for label, base, size, its_only in (("sd15", "sd15", 512, False), ("sdxl", "sdxl", 1024, True)):
        folder = builders[label](work / label, tokenizers, torch.device(DEVICE))
        fresh_peak()
        rows.append(compare(label, folder, base, args.size or size, args, [] if its_only else batches, work))
        if label == "sd15" and args.compile != "off":
            for name, cache in (("without compile cache", work / "cold-empty"), ("with compile cache",
                                                                                 work / "compiled")):
                scratch = work / f"cold-{len(cold)}"
                cold[name] = got = cold_worker(folder, base, args.size or size, args.compile, cache, scratch)
                print(f"sd15  cold worker {name}: " + ", ".join(
                    f"{k} {v:.1f}" if isinstance(v, float) else f"{k} {v}" for k, v in got.items()), flush=True)
    return {"weights": "random", "figures": "best of --repeats", "rows": rows, "cold_worker": cold}


if __name__ == "__main__":
    _cold_main(*sys.argv[1:7])
