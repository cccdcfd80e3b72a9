"""DreamBooth: the whole UNet (and optionally the text encoders) fine-tuned; saved as a diffusers folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import torch

from .base import Exported, Method, group, place, replace_folder


class FullFineTune(Method):
    """Every UNet weight trains in float32; the rest of the base stays frozen in the weight dtype."""

    def prepare(self, device: torch.device, weight_dtype: torch.dtype) -> None:
        base = self.base
        place(base, device, weight_dtype)
        self.text_trains = self.rates.text_encoder is not None
        for module in self._trained():
            module.to(torch.float32)  # master weights; autocast runs the maths in the mixed precision
            module.requires_grad_(True)

    def _trained(self) -> list[torch.nn.Module]:
        return [self.base.unet, *(self.base.text_encoders if self.text_trains else [])]

    def modules(self) -> list[torch.nn.Module]:
        return self._trained()

    def param_groups(self) -> list[dict]:
        groups = [group([(f"unet.{n}", p) for n, p in self.base.unet.named_parameters()], self.rates.unet)]
        if self.text_trains:
            params = [(f"text_encoder{'_2' if i else ''}.{n}", p) for i, e in enumerate(self.base.text_encoders)
                      for n, p in e.named_parameters()]
            groups.append(group(params, self.rates.text_encoder))
        return groups

    def export(self, dest: Path, metadata: dict[str, str]) -> Exported:
        name = self.spec.name or "model"
        final = dest / name
        tmp = dest / f".{name}.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        pipe = self.base.pipeline()
        pipe.to(dtype=self.save_dtype)  # the end of the run: the live modules may change precision now
        pipe.save_pretrained(tmp, safe_serialization=True)
        return Exported("checkpoint", "diffusers", replace_folder(tmp, final), name,
                        {"train_text_encoder": self.text_trains})
