"""Tiny, seeded stand-ins for a ControlNet, the HED annotator and an upscaler model, for tests and benchmarks.

Each is the real architecture at toy size written in the format the registry stores, so the genuine loading
and inference code runs on a CPU in well under a second. Weights are deterministic on every machine.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import torch
from safetensors.torch import save_file

from .annotators import HedNet
from .tiny import UNET_SHAPE, XL_UNET_ATTENTION
from .upscalers import CompactNet, RRDBNet

TINY_HED_WIDTHS = [[(3, 4), (4, 4)], [(4, 8), (8, 8)], [(8, 8)] * 3, [(8, 8)] * 3, [(8, 8)] * 3]


def build_tiny_controlnet(dest: Path, unet_folder: Path) -> Path:
    """A diffusers ControlNet folder at dest shaped after the tiny-sd UNet (its folder, or the model's)."""
    from diffusers import ControlNetModel, UNet2DConditionModel

    unet_folder = Path(unet_folder)
    if (unet_folder / "unet").is_dir():
        unet_folder = unet_folder / "unet"
    unet = UNet2DConditionModel.from_pretrained(unet_folder, local_files_only=True)
    # The tiny VAE downsamples 2x, so the hint encoder downsamples once: two conditioning stages.
    net = ControlNetModel.from_unet(unet, conditioning_embedding_out_channels=(16, 32))
    # from_unet zero-initializes the output convs, which would make the net a no-op; give them seeded weights.
    generator = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for conv in (net.controlnet_cond_embedding.conv_out, *net.controlnet_down_blocks, net.controlnet_mid_block):
            conv.weight.copy_(torch.randn(conv.weight.shape, generator=generator) * 0.1)
            conv.bias.copy_(torch.randn(conv.bias.shape, generator=generator) * 0.1)
    net.save_pretrained(Path(dest), safe_serialization=True)
    return Path(dest)


def build_tiny_hed(dest: Path) -> Path:
    """A tiny HED .safetensors whose first block is a Sobel edge detector, so its map follows the image's edges."""
    torch.manual_seed(0)
    net = HedNet(TINY_HED_WIDTHS)
    sobel = torch.tensor([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]]) / 3  # on the mean of R, G, B
    with torch.no_grad():
        net.norm.fill_(255.0)  # white paper maps to 0, like the zero padding: no edge at the border
        first, second = net.block1.convs
        first.bias.zero_()
        for channel, kernel in enumerate((sobel, -sobel, sobel.T, -sobel.T)):  # + and - gradients, x and y
            first.weight[channel] = kernel.expand(3, 3, 3)
        second.weight.zero_()
        second.bias.zero_()
        for channel in range(4):
            second.weight[channel, channel] = 1.0  # a 3x3 sum: edges a few pixels wide, as HED draws them
        # Only block 1 speaks: flat areas land near 0 after the sigmoid, a 0-to-255 step near 1.
        net.block1.projection.weight.fill_(0.075)
        net.block1.projection.bias.fill_(-25.0)
        for b in range(2, 6):
            getattr(net, f"block{b}").projection.weight.zero_()
            getattr(net, f"block{b}").projection.bias.zero_()
    return _save(net.state_dict(), dest)


def build_tiny_upscaler(dest: Path, arch: Literal["esrgan", "esrgan_original", "compact"] = "esrgan") -> Path:
    """A tiny 2x upscaler .safetensors: Real-ESRGAN RRDBNet (BasicSR keys, pixel-unshuffle x2), the same net
    in the original ESRGAN key layout (one x2 stage), or an SRVGGNetCompact."""
    torch.manual_seed(0)
    if arch == "compact":
        return _save(CompactNet(in_ch=3, nf=8, convs=2, scale=2).state_dict(), dest)
    if arch == "esrgan":
        return _save(RRDBNet(in_ch=3, out_ch=3, nf=8, gc=4, blocks=1, ups=2, unshuffle=2).state_dict(), dest)
    if arch == "esrgan_original":
        state = RRDBNet(in_ch=3, out_ch=3, nf=8, gc=4, blocks=1, ups=1, unshuffle=1).state_dict()
        return _save({_original_esrgan_key(key, blocks=1): value for key, value in state.items()}, dest)
    raise ValueError(f"unknown tiny upscaler architecture {arch!r}")


def _original_esrgan_key(key: str, *, blocks: int) -> str:
    """BasicSR RRDBNet key -> original ESRGAN key for a net with one x2 stage."""
    prefix, _, leaf = key.rpartition(".")
    names = {"conv_first": "model.0", "conv_body": f"model.1.sub.{blocks}", "conv_up1": "model.3",
             "conv_hr": "model.5", "conv_last": "model.7"}
    if prefix in names:
        return f"{names[prefix]}.{leaf}"
    match = re.fullmatch(r"body\.(\d+)\.rdb(\d)\.conv(\d)", prefix)
    if match is None:
        raise ValueError(f"unexpected RRDBNet key {key}")
    return f"model.1.sub.{match[1]}.RDB{match[2]}.conv{match[3]}.0.{leaf}"


def _save(state: dict[str, torch.Tensor], dest: Path) -> Path:
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    save_file({key: value.contiguous() for key, value in state.items()}, str(dest))
    return dest


def build_tiny_sdxl_refiner(dest: Path, base_folder: Path) -> Path:
    """A diffusers folder at dest shaped like SDXL's refiner: only the second text encoder (shared with the tiny-sdxl
    at base_folder), a UNet conditioned on the aesthetic score instead of the target size, the base's VAE."""
    from diffusers import StableDiffusionXLImg2ImgPipeline, StableDiffusionXLPipeline, UNet2DConditionModel

    base = StableDiffusionXLPipeline.from_pretrained(Path(base_folder), local_files_only=True)
    hidden = base.text_encoder_2.config.hidden_size
    time_dim = base.unet.config.addition_time_embed_dim
    torch.manual_seed(2)
    unet = UNet2DConditionModel(
        **UNET_SHAPE, **XL_UNET_ATTENTION, addition_time_embed_dim=time_dim,
        # original size, crop, aesthetic score: five numbers, then the pooled text
        projection_class_embeddings_input_dim=5 * time_dim + base.text_encoder_2.config.projection_dim,
        cross_attention_dim=hidden,
    )
    refiner = StableDiffusionXLImg2ImgPipeline(
        vae=base.vae, text_encoder=None, text_encoder_2=base.text_encoder_2, tokenizer=None,
        tokenizer_2=base.tokenizer_2, unet=unet, scheduler=base.scheduler, requires_aesthetics_score=True,
        force_zeros_for_empty_prompt=False, add_watermarker=False,
    )
    refiner.save_pretrained(Path(dest), safe_serialization=True)
    return Path(dest)
