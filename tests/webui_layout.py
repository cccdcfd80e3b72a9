"""Write a diffusers pipeline folder as one checkpoint in the original (web UI) layout: SD 1.x or SDXL.

Test-only: diffusers reads this layout (from_single_file) but writes only its own, and the tests must not
download real checkpoints.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import torch
from diffusers.loaders.single_file_utils import DIFFUSERS_TO_LDM_MAPPING
from safetensors.torch import load_file, save_file

_RESNET = {"norm1": "in_layers.0", "conv1": "in_layers.2", "norm2": "out_layers.0", "conv2": "out_layers.3",
           "time_emb_proj": "emb_layers.1", "conv_shortcut": "skip_connection"}
_VAE_ATTN = {"group_norm": "norm", "to_q": "q", "to_k": "k", "to_v": "v", "to_out.0": "proj_out"}


def unet_key(key: str, config: dict) -> str:
    """A diffusers UNet weight's name in the original layout (for a UNet with these config values)."""
    n = config["layers_per_block"] + 1
    # diffusers key -> original key (SDXL's size-and-pooled-text embedding too)
    direct = DIFFUSERS_TO_LDM_MAPPING["unet"]["layers"] | DIFFUSERS_TO_LDM_MAPPING["unet"]["addition_embed_type"]
    if key in direct:
        return direct[key]
    if m := re.fullmatch(r"down_blocks\.(\d+)\.resnets\.(\d+)\.(\w+)\.(.+)", key):
        b, j, part, rest = int(m[1]), int(m[2]), m[3], m[4]
        return f"input_blocks.{n * b + j + 1}.0.{_RESNET[part]}.{rest}"
    if m := re.fullmatch(r"down_blocks\.(\d+)\.attentions\.(\d+)\.(.+)", key):
        return f"input_blocks.{n * int(m[1]) + int(m[2]) + 1}.1.{m[3]}"
    if m := re.fullmatch(r"down_blocks\.(\d+)\.downsamplers\.0\.conv\.(.+)", key):
        return f"input_blocks.{n * (int(m[1]) + 1)}.0.op.{m[2]}"
    if m := re.fullmatch(r"mid_block\.resnets\.(\d+)\.(\w+)\.(.+)", key):
        return f"middle_block.{2 * int(m[1])}.{_RESNET[m[2]]}.{m[3]}"
    if m := re.fullmatch(r"mid_block\.attentions\.0\.(.+)", key):
        return f"middle_block.1.{m[1]}"
    if m := re.fullmatch(r"up_blocks\.(\d+)\.resnets\.(\d+)\.(\w+)\.(.+)", key):
        return f"output_blocks.{n * int(m[1]) + int(m[2])}.0.{_RESNET[m[3]]}.{m[4]}"
    if m := re.fullmatch(r"up_blocks\.(\d+)\.attentions\.(\d+)\.(.+)", key):
        return f"output_blocks.{n * int(m[1]) + int(m[2])}.1.{m[3]}"
    if m := re.fullmatch(r"up_blocks\.(\d+)\.upsamplers\.0\.conv\.(.+)", key):
        b = int(m[1])
        has_attention = "CrossAttn" in config["up_block_types"][b]
        return f"output_blocks.{n * b + n - 1}.{2 if has_attention else 1}.conv.{m[2]}"
    raise KeyError(key)


def _vae_key(key: str, config: dict) -> str:
    direct = DIFFUSERS_TO_LDM_MAPPING["vae"]
    if key in direct:
        return direct[key]
    up = len(config["up_block_types"])
    if m := re.fullmatch(r"(encoder|decoder)\.mid_block\.resnets\.(\d+)\.(.+)", key):
        return f"{m[1]}.mid.block_{int(m[2]) + 1}.{m[3].replace('conv_shortcut', 'nin_shortcut')}"
    if m := re.fullmatch(r"(encoder|decoder)\.mid_block\.attentions\.0\.(group_norm|to_q|to_k|to_v|to_out\.0)\.(.+)",
                         key):
        return f"{m[1]}.mid.attn_1.{_VAE_ATTN[m[2]]}.{m[3]}"
    if m := re.fullmatch(r"encoder\.down_blocks\.(\d+)\.resnets\.(\d+)\.(.+)", key):
        return f"encoder.down.{m[1]}.block.{m[2]}.{m[3].replace('conv_shortcut', 'nin_shortcut')}"
    if m := re.fullmatch(r"encoder\.down_blocks\.(\d+)\.downsamplers\.0\.conv\.(.+)", key):
        return f"encoder.down.{m[1]}.downsample.conv.{m[2]}"
    if m := re.fullmatch(r"decoder\.up_blocks\.(\d+)\.resnets\.(\d+)\.(.+)", key):
        return f"decoder.up.{up - 1 - int(m[1])}.block.{m[2]}.{m[3].replace('conv_shortcut', 'nin_shortcut')}"
    if m := re.fullmatch(r"decoder\.up_blocks\.(\d+)\.upsamplers\.0\.conv\.(.+)", key):
        return f"decoder.up.{up - 1 - int(m[1])}.upsample.conv.{m[2]}"
    raise KeyError(key)


_OPEN_CLIP = {"embeddings.position_embedding.weight": "positional_embedding",
              "embeddings.token_embedding.weight": "token_embedding.weight",
              "final_layer_norm.weight": "ln_final.weight", "final_layer_norm.bias": "ln_final.bias"}
_OPEN_CLIP_BLOCK = (("self_attn.out_proj", "attn.out_proj"), ("layer_norm1", "ln_1"), ("layer_norm2", "ln_2"),
                    ("mlp.fc1", "mlp.c_fc"), ("mlp.fc2", "mlp.c_proj"))


def _open_clip(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """A CLIPTextModelWithProjection's weights in OpenCLIP's layout, as SDXL's second text encoder is stored."""
    out: dict[str, torch.Tensor] = {}
    qkv: dict[tuple[str, str], dict[str, torch.Tensor]] = {}
    for key, value in state.items():
        if key == "text_projection.weight":
            out["text_projection"] = value.T  # OpenCLIP multiplies by it; a Linear stores it transposed
            continue
        key = key.removeprefix("text_model.")
        if key in _OPEN_CLIP:
            out[_OPEN_CLIP[key]] = value
        elif m := re.fullmatch(r"encoder\.layers\.(\d+)\.self_attn\.([qkv])_proj\.(weight|bias)", key):
            qkv.setdefault((m[1], m[3]), {})[m[2]] = value
        elif m := re.fullmatch(r"encoder\.layers\.(\d+)\.(.+)", key):
            rest = m[2]
            for ours, theirs in _OPEN_CLIP_BLOCK:
                rest = rest.replace(ours, theirs)
            out[f"transformer.resblocks.{m[1]}.{rest}"] = value
        elif not key.endswith("position_ids"):
            raise KeyError(key)
    for (layer, kind), parts in qkv.items():
        out[f"transformer.resblocks.{layer}.attn.in_proj_{kind}"] = torch.cat([parts["q"], parts["k"], parts["v"]])
    return out


def to_single_file(folder: Path, dest: Path, xl: bool = False) -> Path:
    """Save the pipeline in `folder` as one checkpoint with the original SD (xl: SDXL) key names and shapes."""
    out: dict[str, torch.Tensor] = {}
    unet_cfg = json.loads((folder / "unet" / "config.json").read_text())
    for key, value in load_file(folder / "unet" / "diffusion_pytorch_model.safetensors").items():
        out["model.diffusion_model." + unet_key(key, unet_cfg)] = value
    vae_cfg = json.loads((folder / "vae" / "config.json").read_text())
    for key, value in load_file(folder / "vae" / "diffusion_pytorch_model.safetensors").items():
        ldm = _vae_key(key, vae_cfg)
        if ".mid.attn_1." in ldm and ldm.endswith(".weight") and value.ndim == 2:
            value = value[:, :, None, None]  # the original VAE's attention projections are 1x1 convolutions
        out["first_stage_model." + ldm] = value
    clip_l = "conditioner.embedders.0.transformer." if xl else "cond_stage_model.transformer."
    for key, value in load_file(folder / "text_encoder" / "model.safetensors").items():
        # transformers >= 5.6 saves CLIPTextModel without its text_model wrapper; the original layout has it
        out[clip_l + (key if key.startswith("text_model.") else f"text_model.{key}")] = value
    if xl:
        for key, value in _open_clip(load_file(folder / "text_encoder_2" / "model.safetensors")).items():
            out["conditioner.embedders.1.model." + key] = value
    save_file({k: v.contiguous() for k, v in out.items()}, dest)
    return dest


def kohya_lora(peft_state: dict[str, torch.Tensor], unet_config: dict, rank: int) -> dict[str, torch.Tensor]:
    """A peft UNet LoRA as kohya's sd-scripts write it for SDXL: lora_unet_<original module path>.lora_down/up."""
    out: dict[str, torch.Tensor] = {}
    for key, value in peft_state.items():
        module, kind = key.rsplit(".lora_", 1)  # "...attn1.to_q", "A.weight"
        module = module.removeprefix("unet.")
        name = "lora_unet_" + unet_key(f"{module}.weight", unet_config).removesuffix(".weight").replace(".", "_")
        out[f"{name}.lora_{'down' if kind.startswith('A') else 'up'}.weight"] = value
        out[f"{name}.alpha"] = torch.tensor(float(rank))
    return out
