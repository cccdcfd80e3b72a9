"""Checkpoint merging, as the web UI's checkpoint merger does it (modules/extras.py `run_modelmerger`).

Weighted sum: A*(1-M) + B*M. Add difference: A + (B-C)*M. No interpolation: A alone. Only weights whose names
contain "model" (every SD weight: model.diffusion_model, first_stage_model, cond_stage_model, conditioner) are
merged; a weight B lacks keeps A's, and for Add difference a weight C lacks counts as B's own (zero difference).
Then a baked-in VAE replaces the `first_stage_model.` weights, fp16 (save_as_half) halves the float weights, and
`discard_weights` drops the weights whose names match it. The merge runs on the CPU (as the web UI's does), on
state dicts read from single-file `.safetensors` checkpoints, and writes one `.safetensors` with the web UI's
metadata (`format`, `sd_merge_recipe`, `sd_merge_models`).

Written here rather than taken from a library: the web UI's merge rules (the key filter, the inpainting channel
case, the VAE and fp16 steps) are its own, and no maintained package carries them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import torch
from safetensors import safe_open
from safetensors.torch import load_file, save_file

from easel_proto.errors import InvalidInput

# the web UI's checkpoint_dict_skip_on_merge: kept as A has it
SKIP_ON_MERGE = frozenset({"cond_stage_model.transformer.text_model.embeddings.position_ids"})
VAE_IGNORE = frozenset({"model_ema.decay", "model_ema.num_updates"})  # the web UI's vae_ignore_keys
VAE_PREFIX = "first_stage_model."
HALF_FROM = (torch.float32, torch.float64, torch.bfloat16)

Tensors = dict[str, torch.Tensor]
OnStep = Callable[[int, int], None]


@dataclass
class MergeResult:
    tensors: Tensors
    inpainting: bool = False
    instruct_pix2pix: bool = False
    notes: list[str] = field(default_factory=list)


def to_half(tensor: torch.Tensor, enable: bool) -> torch.Tensor:
    """fp16 of a float tensor when enabled (the web UI's to_half: integer tensors stay as they are)."""
    return tensor.half() if enable and tensor.dtype in HALF_FROM else tensor


def _pair(key: str, a: torch.Tensor, b: torch.Tensor, fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
          result: MergeResult) -> torch.Tensor:
    """fn(a, b), or for an inpainting (9 input channels) or instruct-pix2pix (8) A and a plain (4) B, fn on the
    first four input channels only, as the web UI does."""
    if a.shape == b.shape:
        return fn(a, b)
    if a.ndim == b.ndim and a.ndim > 1 and a.shape[0:1] + a.shape[2:] == b.shape[0:1] + b.shape[2:]:
        if a.shape[1] == 4 and b.shape[1] in (8, 9):
            kind = "inpainting" if b.shape[1] == 9 else "instruct-pix2pix"
            raise InvalidInput("primary_model_name", f"when merging an {kind} model with a normal one, A must be the "
                               f"{kind} model", key=key)
        if a.shape[1] in (8, 9) and b.shape[1] == 4:
            out = a.clone()
            out[:, 0:4] = fn(a[:, 0:4], b)
            if a.shape[1] == 9:
                result.inpainting = True
            else:
                result.instruct_pix2pix = True
            return out
    raise InvalidInput("secondary_model_name", f"weight {key} has shape {tuple(b.shape)}, the primary's "
                       f"{tuple(a.shape)}: the models are not of one architecture", key=key)


def merge_state_dicts(a: Tensors, b: Tensors | None = None, c: Tensors | None = None, *,
                      method: str = "Weighted sum", multiplier: float = 0.3, save_as_half: bool = False,
                      vae: Tensors | None = None, discard_weights: str = "",
                      on_step: OnStep | None = None) -> MergeResult:
    """The merged state dict of A (changed in place), B and C, by the web UI's rules (module docstring)."""
    result = MergeResult(a)
    if method != "No interpolation" and b is None:
        raise InvalidInput("secondary_model_name", f"{method} needs a secondary model")
    if method == "Add difference":
        if c is None:
            raise InvalidInput("tertiary_model_name", "Add difference needs a tertiary model")
        for key in list(b):  # B becomes B - C (a weight C lacks: no difference)
            if key in SKIP_ON_MERGE or "model" not in key:
                continue
            b[key] = _pair(key, b[key], c[key], torch.sub, result) if key in c else torch.zeros_like(b[key])

        def combine(x: torch.Tensor, d: torch.Tensor) -> torch.Tensor:
            return x + multiplier * d
    else:
        def combine(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
            return (1 - multiplier) * x + multiplier * y

    if b is not None and method != "No interpolation":
        keys = list(a)
        for i, key in enumerate(keys):
            if on_step is not None:
                on_step(i + 1, len(keys))
            if "model" not in key or key not in b or key in SKIP_ON_MERGE:
                continue
            x, y = a[key], b[key]
            # the sum in A's precision at least fp32: fp16 inputs would lose the small differences
            work = torch.promote_types(x.dtype, torch.float32) if x.is_floating_point() else x.dtype
            merged = _pair(key, x.to(work), y.to(work), combine, result) if x.is_floating_point() else x
            a[key] = to_half(merged.to(x.dtype) if not save_as_half else merged, save_as_half)
    if vae is not None:
        for key, value in vae.items():
            if key.startswith("loss") or key in VAE_IGNORE:
                continue
            if VAE_PREFIX + key in a:
                a[VAE_PREFIX + key] = to_half(value, save_as_half)
    if save_as_half:
        for key in a:
            a[key] = to_half(a[key], True)
    if discard_weights:
        pattern = compile_discard(discard_weights)
        for key in [k for k in a if pattern.search(k)]:
            del a[key]
        if not a:
            raise InvalidInput("discard_weights", "matches every weight: the merge would leave nothing")
    return result


def compile_discard(pattern: str) -> re.Pattern[str]:
    """discard_weights as a regular expression; InvalidInput naming the field when it is not one."""
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise InvalidInput("discard_weights", f"is not a regular expression: {exc}") from None


def read_vae(path: Path) -> Tensors:
    """A VAE file's weights; a whole checkpoint's `first_stage_model.` part, or a VAE alone (web UI layout)."""
    tensors = load_file(path)
    if any(k.startswith(VAE_PREFIX) for k in tensors):
        return {k[len(VAE_PREFIX):]: v for k, v in tensors.items() if k.startswith(VAE_PREFIX)}
    return tensors


def file_metadata(path: Path) -> dict[str, str]:
    with safe_open(path, "pt") as f:
        return dict(f.metadata() or {})


def write(tensors: Tensors, dest: Path, metadata: dict[str, str]) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    save_file({k: v.contiguous() for k, v in tensors.items()}, dest, metadata=metadata or None)


def metadata_for(*, inputs: list[tuple[str, str, Path]], recipe: dict, save: bool, recipe_too: bool,
                 copy_fields: bool, extra: dict[str, str], result: MergeResult) -> dict[str, str]:
    """The web UI's metadata: the inputs' own (copy_metadata_fields), then metadata_json, `format`, and the merge
    recipe with each input's (name, sha256) and the recipes they carry. `inputs`: (name, sha256, path)."""
    if not save:
        return {}
    metadata: dict[str, str] = {}
    own = [(name, sha, file_metadata(path)) for name, sha, path in inputs]
    if copy_fields:
        for _, _, meta in own:
            metadata.update(meta)
    metadata.update(extra)
    metadata["format"] = "pt"
    if recipe_too:
        models: dict[str, dict] = {}
        for name, sha, meta in own:
            earlier = meta.get("sd_merge_recipe")
            models[sha] = {"name": name, "legacy_hash": None,
                           "sd_merge_recipe": json.loads(earlier) if earlier else None}
            with_models = meta.get("sd_merge_models")
            if with_models:
                try:
                    models.update(json.loads(with_models))
                except ValueError:
                    pass
        metadata["sd_merge_recipe"] = json.dumps({**recipe, "is_inpainting": result.inpainting,
                                                  "is_instruct_pix2pix": result.instruct_pix2pix})
        metadata["sd_merge_models"] = json.dumps(models)
    return metadata


def run(spec_merge, primary: tuple[str, str, Path], secondary: tuple[str, str, Path] | None,
        tertiary: tuple[str, str, Path] | None, vae: Path | None, dest: Path,
        on_step: OnStep | None = None) -> None:
    """Merge the local files (each input: (name, sha256, path)) as `spec_merge` (a MergeSpec) says, into `dest`."""
    m = spec_merge
    a = load_file(primary[2])
    b = load_file(secondary[2]) if secondary is not None and m.interp_method != "No interpolation" else None
    c = load_file(tertiary[2]) if tertiary is not None and m.interp_method == "Add difference" else None
    result = merge_state_dicts(a, b, c, method=m.interp_method, multiplier=m.multiplier,
                               save_as_half=bool(m.save_as_half), vae=read_vae(vae) if vae is not None else None,
                               discard_weights=m.discard_weights or "", on_step=on_step)
    del b, c
    recipe = {"type": "webui", "primary_model_hash": primary[1],
              "secondary_model_hash": secondary[1] if secondary else None,
              "tertiary_model_hash": tertiary[1] if tertiary else None, "interp_method": m.interp_method,
              "multiplier": m.multiplier, "save_as_half": bool(m.save_as_half), "custom_name": m.name,
              "config_source": 0, "bake_in_vae": m.bake_in_vae.name if m.bake_in_vae else "None",
              "discard_weights": m.discard_weights or ""}
    inputs = [i for i in (primary, secondary, tertiary) if i is not None]
    metadata = metadata_for(inputs=inputs, recipe=recipe, save=m.save_metadata is not False,
                            recipe_too=m.add_merge_recipe is not False, copy_fields=m.copy_metadata_fields is not False,
                            extra=dict(m.metadata or {}), result=result)
    write(result.tensors, dest, metadata)
