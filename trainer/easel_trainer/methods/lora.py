"""LoRA (and DreamBooth-LoRA): peft adapters on the UNet's attention projections, optionally on the text
encoders', saved in kohya's layout.

The file holds, per adapted module, `<prefix>_<module path with "." as "_">.lora_down.weight` (peft's lora_A),
`.lora_up.weight` (lora_B) and `.alpha` (a scalar: the weights scale by alpha / rank). Prefixes: `lora_unet` for
the UNet (its diffusers module names, as kohya's sd-scripts write SD 1.x/2.x LoRAs; diffusers maps the same names
onto SDXL's UNet and the web UI converts them to its own), `lora_te` for an SD 1.x/2.x text encoder, `lora_te1`
and `lora_te2` for SDXL's two (`text_model_encoder_layers_<n>_self_attn_<q|k|v|out>_proj`).
"""

from __future__ import annotations

import json
from pathlib import Path

import torch
from diffusers.training_utils import cast_training_params
from peft import LoraConfig, inject_adapter_in_model
from peft.utils import get_peft_model_state_dict

from .base import BASE_VERSIONS, Exported, Method, group, place, save_tensors

# The attention projections diffusers' LoRA examples train; the web UI and diffusers both load them.
UNET_TARGETS = ["to_q", "to_k", "to_v", "to_out.0"]
TEXT_TARGETS = ["q_proj", "k_proj", "v_proj", "out_proj"]


class Lora(Method):
    """UNet LoRA, with the text encoders' too when asked."""

    def prepare(self, device: torch.device, weight_dtype: torch.dtype) -> None:
        base = self.base
        place(base, device, weight_dtype)
        rank = self.spec.lora.rank or 4
        self.alpha = float(self.spec.lora.alpha or rank)

        def config(targets: list[str]) -> LoraConfig:
            return LoraConfig(r=rank, lora_alpha=self.alpha, init_lora_weights="gaussian", target_modules=targets)

        base.unet.add_adapter(config(UNET_TARGETS))
        self.text_trains = self.rates.text_encoder is not None
        if self.text_trains:
            for encoder in base.text_encoders:
                # peft directly: transformers' add_adapter refuses peft releases older than the one it was built
                # against, though the injection itself is peft's and works.
                inject_adapter_in_model(config(TEXT_TARGETS), encoder)
        for module in self._adapted():
            for name, param in module.named_parameters():
                param.requires_grad_("lora_" in name)
        cast_training_params(self._adapted(), torch.float32)  # the adapters train in float32 over a half base

    def _adapted(self) -> list[torch.nn.Module]:
        return [self.base.unet, *(self.base.text_encoders if self.text_trains else [])]

    def _prefixes(self) -> list[tuple[str, torch.nn.Module]]:
        pairs = [("lora_unet", self.base.unet)]
        if self.text_trains:
            names = ["lora_te1", "lora_te2"] if self.base.xl else ["lora_te"]
            pairs += list(zip(names, self.base.text_encoders, strict=True))
        return pairs

    def param_groups(self) -> list[dict]:
        groups = [group(_lora_params(self.base.unet, "unet"), self.rates.unet)]
        if self.text_trains:
            params = [item for i, encoder in enumerate(self.base.text_encoders)
                      for item in _lora_params(encoder, f"text_encoder{'_2' if i else ''}")]
            groups.append(group(params, self.rates.text_encoder))
        return groups

    def modules(self) -> list[torch.nn.Module]:
        return self._adapted()

    def kohya_state(self) -> dict[str, torch.Tensor]:
        """The adapters' weights under kohya's names, in the save precision."""
        out: dict[str, torch.Tensor] = {}
        for prefix, module in self._prefixes():
            text = prefix != "lora_unet"
            for key, value in get_peft_model_state_dict(module).items():
                path, _, part = key.rpartition(".lora_")  # "....to_q", "A.weight"
                if text and not path.startswith("text_model."):
                    path = f"text_model.{path}"  # transformers 5 drops CLIPTextModel's wrapper; kohya keeps it
                name = f"{prefix}_{path.replace('.', '_')}"
                out[f"{name}.lora_{'down' if part.startswith('A') else 'up'}.weight"] = value.to(self.save_dtype)
                out[f"{name}.alpha"] = torch.tensor(self.alpha, dtype=self.save_dtype)
        return out

    def export(self, dest: Path, metadata: dict[str, str]) -> Exported:
        rank = self.spec.lora.rank or 4
        meta = {**metadata, "ss_network_module": "networks.lora", "ss_network_dim": str(rank),
                "ss_network_alpha": str(self.alpha), "ss_base_model_version": BASE_VERSIONS[self.spec.model.base],
                "ss_output_name": self.spec.name or "model",
                "ss_network_args": json.dumps({"train_text_encoder": self.text_trains})}
        path = save_tensors(self.kohya_state(), dest / f"{self.spec.name or 'model'}.safetensors", meta)
        return Exported("lora", "safetensors", path, self.spec.name or "model", {"rank": rank, "alpha": self.alpha})


def _lora_params(module: torch.nn.Module, prefix: str) -> list[tuple[str, torch.nn.Parameter]]:
    return [(f"{prefix}.{name}", p) for name, p in module.named_parameters() if "lora_" in name]
