"""Generation benchmark: denoising speed and image throughput of the worker's engine, per model family.

Usage: .venv/bin/python bench/generate.py [--full] [--steps N] [--batch B] [--size S] [--repeats R] [--json]

Every figure goes through GenerationEngine.generate, the path a job takes (prompt encoding, a fresh scheduler,
the diffusers pipeline, VAE decode, PIL images), with sampler Euler a:
  it/s       denoising iterations per second at batch 1, from the step callbacks (first to last step, so prompt
             encoding and VAE decode are left out);
  images/s   whole jobs of B images at `--steps`, end to end, divided into B.
Models: the built-in tiny-sd and tiny-sdxl (toy size, random weights) always, at 64x64; with --full and a CUDA
device also the full-size SD1.5 and SDXL architectures with random weights (fp16, built from configs written here
and in model_load.py; weights do not change speed), at 512x512 and 1024x1024 unless --size. Targets on one H100:
SD1.5 512x512 >= 125 it/s at batch 1 and >= 8 images/s at 30 steps. It prints figures and asserts nothing.
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
from model_load import build_sd15, machine, sync  # noqa: E402  (a sibling script)


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--full", action="store_true", help="also full-size SD1.5 and SDXL architectures (needs CUDA)")
    p.add_argument("--steps", type=int, default=30, help="steps per job (default 30)")
    p.add_argument("--batch", type=int, default=8, help="images per job for images/s (default 8)")
    p.add_argument("--size", type=int, default=None, help="image side for the full-size models")
    p.add_argument("--repeats", type=int, default=3, help="runs per figure (median and best are reported)")
    p.add_argument("--device", default=None, help="torch device (default: cuda when available, else cpu)")
    p.add_argument("--json", action="store_true", help="also print the results as one JSON line")
    return p.parse_args()


def build_sdxl(dest: Path, tokenizer_from: Path, device: torch.device) -> Path:
    """A full-size SDXL base pipeline with random weights (fp16 safetensors): UNet 2.6B, CLIP-L and bigG."""
    from diffusers import AutoencoderKL, EulerDiscreteScheduler, StableDiffusionXLPipeline, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTextModelWithProjection, CLIPTokenizer

    tokenizer = CLIPTokenizer.from_pretrained(tokenizer_from / "tokenizer", local_files_only=True)
    tokenizer_2 = CLIPTokenizer.from_pretrained(tokenizer_from / "tokenizer_2", local_files_only=True)

    def text(hidden: int, layers: int, heads: int, act: str) -> CLIPTextConfig:
        return CLIPTextConfig(vocab_size=49408, hidden_size=hidden, intermediate_size=4 * hidden,
                              num_attention_heads=heads, num_hidden_layers=layers, max_position_embeddings=77,
                              projection_dim=hidden, hidden_act=act, bos_token_id=tokenizer.bos_token_id,
                              eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id)

    torch.manual_seed(0)
    with device:
        unet = UNet2DConditionModel(
            sample_size=128, in_channels=4, out_channels=4, layers_per_block=2,
            block_out_channels=(320, 640, 1280),
            down_block_types=("DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"),
            up_block_types=("CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"),
            transformer_layers_per_block=(1, 2, 10), attention_head_dim=(5, 10, 20), use_linear_projection=True,
            cross_attention_dim=2048, addition_embed_type="text_time", addition_time_embed_dim=256,
            projection_class_embeddings_input_dim=2816, norm_num_groups=32)
        vae = AutoencoderKL(
            in_channels=3, out_channels=3, latent_channels=4, layers_per_block=2, sample_size=1024,
            block_out_channels=(128, 256, 512, 512), down_block_types=("DownEncoderBlock2D",) * 4,
            up_block_types=("UpDecoderBlock2D",) * 4, scaling_factor=0.13025, force_upcast=True)
        text_encoder = CLIPTextModel(text(768, 12, 12, "quick_gelu")).eval()
        text_encoder_2 = CLIPTextModelWithProjection(text(1280, 32, 20, "gelu")).eval()
    scheduler = EulerDiscreteScheduler(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear",
                                       num_train_timesteps=1000, steps_offset=1, timestep_spacing="leading")
    pipe = StableDiffusionXLPipeline(vae=vae, text_encoder=text_encoder, text_encoder_2=text_encoder_2,
                                     tokenizer=tokenizer, tokenizer_2=tokenizer_2, unet=unet, scheduler=scheduler,
                                     add_watermarker=False).to(dtype=torch.float16)
    pipe.save_pretrained(dest, safe_serialization=True)
    return dest


def spec(model: ModelInfo, size: int, steps: int, batch: int) -> GenerationSpec:
    return GenerationSpec(prompt="a lighthouse on a cliff at dusk, oil painting", negative_prompt="blurry",
                          model=model, sampler="Euler a", steps=steps, cfg_scale=7.0, width=size, height=size,
                          seeds=list(range(batch)), batch_size=batch)


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
    return row


def main() -> None:
    args = parse_args()
    device = torch.device(args.device or ("cuda" if torch.cuda.is_available() else "cpu"))
    info = machine(device)
    print("machine: " + ", ".join(f"{k} {v}" for k, v in info.items()))
    rows = []
    with tempfile.TemporaryDirectory(prefix="easel-bench-generate-") as tmp:
        work = Path(tmp)
        engine = GenerationEngine(work / "cache", device=str(device), max_loaded=1)
        for name, base in (("tiny-sd", "tiny"), ("tiny-sdxl", "sdxl")):
            model = ModelInfo(id=f"builtin-{name}", name=name, kind="checkpoint", base=base, source=f"builtin:{name}")
            rows.append(measure(name, engine, model, 64, args, device))
        if args.full and device.type != "cuda":
            print("full-size models skipped: they need a CUDA device")
        elif args.full:
            tokenizers = ensure_tiny_sd(work / "cache", "tiny-sdxl")  # the tiny tokenizers' ids fit CLIP's vocab
            for label, build, base, size in (("sd15", build_sd15, "sd15", 512), ("sdxl", build_sdxl, "sdxl", 1024)):
                folder = build(work / label, tokenizers, device)
                model = ModelInfo(id=label, name=label, kind="checkpoint", base=base, source=f"store:{label}",
                                  format="diffusers")
                engine.load(model, local=folder)
                rows.append(measure(label, engine, model, args.size or size, args, device))
    if args.json:
        print(json.dumps({"machine": info, "results": rows}))


if __name__ == "__main__":
    main()
