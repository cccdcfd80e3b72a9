"""Training benchmark: steps/s and samples/s of the trainer, per method, beside a plain diffusers + peft LoRA loop.

Usage: .venv/bin/python bench/train.py [--full] [--steps N] [--warmup W] [--batch B] [--methods a,b] [--json]

Each figure is a whole easel_trainer.run (its data order, latent and text caches, optimizer, progress reporting)
timed from the start of step W+1 to the report of the last step (which waits for the device), so loading the
base, the first steps (kernel warm-up, first encodes) and saving the artefact are left out:
  steps/s     optimizer steps per second;
  samples/s   training images per second (steps/s x batch, x2 with DreamBooth's prior preservation).
"plain" is the loop of diffusers' text-to-image LoRA example written out with diffusers + peft + accelerate on the
same base, data and settings: VAE encode and text encoder every step, peft LoRA on the UNet's attention
projections, AdamW, a loss.item() per step for logging; timed the same way.
Models: the built-in tiny-sd (and tiny-sdxl for LoRA) at 64x64, batch 4, fp32 on any device; with --full and a
CUDA device also the full-size SD1.5 architecture with random weights at 512x512, rank-16 LoRA, bf16 mixed
precision, batch 8 (the issue's goal: at least 1.7x plain, 100 samples/s or more on an H100-class GPU). It prints
hardware, settings and figures, and asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from easel_trainer import run
from easel_worker.engine import ensure_tiny_sd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from model_load import build_sd15, machine, sync  # noqa: E402  (a sibling script)

METHODS = ["lora", "dreambooth_lora", "dreambooth", "textual_inversion", "hypernetwork", "lora-sdxl"]
LORA_TARGETS = ["to_q", "to_k", "to_v", "to_out.0"]


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--full", action="store_true", help="also the full-size SD1.5 LoRA figure (needs CUDA)")
    p.add_argument("--full-on-cpu", action="store_true", help=argparse.SUPPRESS)  # slow; checks the code path
    p.add_argument("--steps", type=int, default=None, help="timed steps (default 20 tiny, 50 full)")
    p.add_argument("--warmup", type=int, default=None, help="untimed first steps (default 3 tiny, 10 full)")
    p.add_argument("--batch", type=int, default=None, help="images per step (default 4 tiny, 8 full)")
    p.add_argument("--size", type=int, default=None, help="resolution (default 64 tiny, 512 full)")
    p.add_argument("--rank", type=int, default=16, help="LoRA rank (default 16)")
    p.add_argument("--methods", default=",".join(METHODS), help=f"tiny-model methods (default {','.join(METHODS)})")
    p.add_argument("--device", default=None, help="torch device (default: cuda when available, else cpu)")
    p.add_argument("--json", action="store_true", help="also print the results as one JSON line")
    return p.parse_args()


def make_images(folder: Path, count: int, size: int, seed: int = 0) -> Path:
    """Smooth random colour fields with captions: decodable, distinct, cheap."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    for i in range(count):
        coarse = rng.integers(0, 256, (8, 8, 3), dtype=np.uint8)
        Image.fromarray(coarse).resize((size, size), Image.Resampling.BICUBIC).save(folder / f"{i:03d}.png")
        (folder / f"{i:03d}.txt").write_text(f"a colourful abstract field, number {i}")
    return folder


class Clock:
    """Times a run from the start of step `warmup + 1` to the report of its last step."""

    def __init__(self, device: torch.device, warmup: int, total: int) -> None:
        self.device, self.warmup, self.total = device, warmup, total
        self.calls, self.started, self.ended = 0, None, None

    def stop(self) -> bool:  # the trainer asks before every step
        self.calls += 1
        if self.calls == self.warmup + 1:
            sync(self.device)
            self.started = time.perf_counter()
        return False

    def report(self, event) -> None:
        if event.type == "progress" and event.step == self.total:
            self.ended = time.perf_counter()  # reported after the losses came off the device

    def steps_per_s(self) -> float:
        return (self.total - self.warmup) / (self.ended - self.started)


def trainer_figure(spec: dict, work: Path, device: torch.device, warmup: int, steps: int) -> float:
    clock = Clock(device, warmup, warmup + steps)
    spec = spec | {"max_steps": warmup + steps, "checkpoint_every": 0}
    run(spec, work, reporter=clock, stop=clock.stop, device=device.type)
    return clock.steps_per_s()


def plain_lora(folder: Path, images: Path, *, size: int, batch: int, rank: int, precision: str, warmup: int,
               steps: int, device: torch.device) -> float:
    """Steps/s of the plain loop (diffusers' text-to-image LoRA example, written out)."""
    import torch.nn.functional as F
    from accelerate import Accelerator
    from accelerate.state import AcceleratorState
    from diffusers import AutoencoderKL, DDPMScheduler, UNet2DConditionModel
    from diffusers.optimization import get_scheduler
    from diffusers.training_utils import cast_training_params
    from peft import LoraConfig
    from transformers import CLIPTextModel, CLIPTokenizer

    AcceleratorState._reset_state(reset_partial_state=True)
    accelerator = Accelerator(mixed_precision=precision, cpu=device.type == "cpu")
    dtype = {"no": torch.float32, "bf16": torch.bfloat16, "fp16": torch.float16}[precision]
    tokenizer = CLIPTokenizer.from_pretrained(folder / "tokenizer", local_files_only=True)
    text_encoder = CLIPTextModel.from_pretrained(folder / "text_encoder", local_files_only=True)
    vae = AutoencoderKL.from_pretrained(folder / "vae", local_files_only=True)
    unet = UNet2DConditionModel.from_pretrained(folder / "unet", local_files_only=True)
    noise_scheduler = DDPMScheduler.from_pretrained(folder / "scheduler", local_files_only=True)
    for module in (unet, vae, text_encoder):
        module.requires_grad_(False)
        module.to(accelerator.device, dtype=dtype)
    unet.add_adapter(LoraConfig(r=rank, lora_alpha=rank, init_lora_weights="gaussian", target_modules=LORA_TARGETS))
    cast_training_params(unet, dtype=torch.float32)
    params = [p for p in unet.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=1e-4, betas=(0.9, 0.999), weight_decay=1e-2, eps=1e-8)
    lr_scheduler = get_scheduler("constant", optimizer)
    unet, optimizer, lr_scheduler = accelerator.prepare(unet, optimizer, lr_scheduler)

    files = sorted(images.glob("*.png"))
    pixels = torch.stack([torch.from_numpy(np.asarray(Image.open(f).convert("RGB").resize((size, size)),
                                                      dtype=np.float32) / 127.5 - 1).permute(2, 0, 1)
                          for f in files])
    ids = tokenizer([f.with_suffix(".txt").read_text() for f in files], padding="max_length", truncation=True,
                    max_length=tokenizer.model_max_length, return_tensors="pt").input_ids
    unet.train()
    started, train_loss = None, 0.0
    for step in range(warmup + steps):
        if step == warmup:
            sync(device)
            started = time.perf_counter()
        pick = [(step * batch + i) % len(files) for i in range(batch)]
        with accelerator.accumulate(unet):
            latents = vae.encode(pixels[pick].to(accelerator.device, dtype=dtype)).latent_dist.sample()
            latents = latents * vae.config.scaling_factor
            noise = torch.randn_like(latents)
            timesteps = torch.randint(0, noise_scheduler.config.num_train_timesteps, (batch,), device=latents.device)
            noisy = noise_scheduler.add_noise(latents, noise, timesteps)
            states = text_encoder(ids[pick].to(accelerator.device), return_dict=False)[0]
            pred = unet(noisy, timesteps, states, return_dict=False)[0]
            loss = F.mse_loss(pred.float(), noise.float(), reduction="mean")
            train_loss += accelerator.gather(loss.repeat(batch)).mean().item()
            accelerator.backward(loss)
            if accelerator.sync_gradients:
                accelerator.clip_grad_norm_(params, 1.0)
            optimizer.step()
            lr_scheduler.step()
            optimizer.zero_grad()
    sync(device)
    return steps / (time.perf_counter() - started)


def spec_for(method: str, model: Path, base: str, images: Path, classes: Path, size: int, batch: int, rank: int,
             precision: str) -> dict:
    spec = {"method": method, "model": {"path": str(model), "base": base}, "dataset": {"path": str(images)},
            "resolution": size, "batch_size": batch, "mixed_precision": precision, "seed": 0,
            "lora": {"rank": rank}, "learning_rates": {"unet": 1e-4}}
    if method in ("dreambooth", "dreambooth_lora"):
        spec["dreambooth"] = {"instance_prompt": "a photo of sks field", "class_prompt": "a photo of a field",
                              "class_data_path": str(classes)}
    if method == "textual_inversion":
        spec["textual_inversion"] = {"token": "sksfield", "num_vectors": 4, "init_word": "field"}
    return spec


def row(label: str, model: str, size: int, batch: int, steps_per_s: float, images_per_step: int,
        plain: float | None = None) -> dict:
    out = {"method": label, "model": model, "size": size, "batch": batch, "steps_per_s": steps_per_s,
           "samples_per_s": steps_per_s * batch * images_per_step}
    text = (f"{label:<18} {model:<10} {size:>4}px batch {batch:>2}  {steps_per_s:8.2f} steps/s "
            f"{out['samples_per_s']:9.2f} samples/s")
    if plain is not None:
        out |= {"plain_steps_per_s": plain, "plain_samples_per_s": plain * batch, "speedup": steps_per_s / plain}
        text += f"   plain diffusers+peft {plain:8.2f} steps/s {plain * batch:9.2f} samples/s   x{out['speedup']:.2f}"
    print(text, flush=True)
    return out


def main() -> None:
    args = parse_args()
    device = torch.device(args.device or ("cuda" if torch.cuda.is_available() else "cpu"))
    info = machine(device)
    print("machine: " + ", ".join(f"{k} {v}" for k, v in info.items()))
    rows = []
    with tempfile.TemporaryDirectory(prefix="easel-bench-train-") as tmp:
        work = Path(tmp)
        size, batch = args.size or 64, args.batch or 4
        steps, warmup = args.steps or 20, args.warmup if args.warmup is not None else 3
        print(f"tiny models: {size}x{size}, batch {batch}, {steps} timed steps after {warmup}, fp32, LoRA rank "
              f"{args.rank}, seed 0")
        images, classes = make_images(work / "images", 8, size), make_images(work / "classes", 4, size, seed=1)
        tiny = ensure_tiny_sd(work / "cache", "tiny-sd")
        for method in [m for m in args.methods.split(",") if m]:
            xl = method == "lora-sdxl"
            base_dir = ensure_tiny_sd(work / "cache", "tiny-sdxl") if xl else tiny
            name = "lora" if xl else method
            spec = spec_for(name, base_dir, "sdxl" if xl else "tiny", images, classes, size, batch, args.rank, "no")
            figure = trainer_figure(spec, work / f"run-{method}", device, warmup, steps)
            plain = None
            if method == "lora":
                plain = plain_lora(tiny, images, size=size, batch=batch, rank=args.rank, precision="no",
                                   warmup=warmup, steps=steps, device=device)
            rows.append(row(method, "tiny-sdxl" if xl else "tiny-sd", size, batch, figure,
                            2 if "dreambooth" in method else 1, plain))
        if args.full and device.type != "cuda" and not args.full_on_cpu:
            print("full-size SD1.5 skipped: it needs a CUDA device")
        elif args.full:
            size, batch = args.size or 512, args.batch or 8
            steps, warmup = args.steps or 50, args.warmup if args.warmup is not None else 10
            precision = "bf16"
            print(f"full-size SD1.5 (random weights): {size}x{size}, batch {batch}, {steps} timed steps after "
                  f"{warmup}, LoRA rank {args.rank} on to_q/to_k/to_v/to_out.0, {precision} mixed precision")
            folder = build_sd15(work / "sd15", tiny, device)
            images = make_images(work / "images-full", 32, size, seed=2)
            spec = spec_for("lora", folder, "sd15", images, classes, size, batch, args.rank, precision)
            figure = trainer_figure(spec, work / "run-full", device, warmup, steps)
            plain = plain_lora(folder, images, size=size, batch=batch, rank=args.rank, precision=precision,
                               warmup=warmup, steps=steps, device=device)
            rows.append(row("lora", "sd15", size, batch, figure, 1, plain))
    if args.json:
        print(json.dumps({"machine": info, "results": rows}))


if __name__ == "__main__":
    main()
