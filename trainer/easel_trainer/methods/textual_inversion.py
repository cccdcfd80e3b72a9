"""Textual inversion: a new word with N vectors, initialised from a word's token embeddings; only they train.

The tokenizers learn the word (N words, `tok tok_1 ... tok_N-1`, when N > 1, as diffusers' example spells it)
and each text encoder's token embedding is wrapped so ids past the original vocabulary read the new rows. The
original matrix is never resized or touched. Saved in the web UI's safetensors layout: `emb_params` (N, hidden)
for SD 1.x/2.x, `clip_l` (N, 768-ish) and `clip_g` (N, 1280-ish) for SDXL; metadata name, step, sd_checkpoint.
"""

from __future__ import annotations

import re
from pathlib import Path

import torch
from torch import nn

from easel_proto.errors import InvalidInput

from .base import Exported, Method, group, place, save_tensors


class NewTokens(nn.Module):
    """A token embedding plus trainable rows for the ids from `first` on."""

    def __init__(self, base: nn.Embedding, rows: torch.Tensor) -> None:
        super().__init__()
        self.base = base
        self.first = base.num_embeddings
        self.rows = nn.Parameter(rows.float())

    @property
    def weight(self) -> torch.Tensor:  # what callers of get_input_embeddings() read (dtype, device, width)
        return self.base.weight

    @property
    def embedding_dim(self) -> int:
        return self.base.embedding_dim

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        new = ids >= self.first
        out = self.base(ids.masked_fill(new, 0))
        # No data-dependent branch: a .any() here would sync the GPU on every text encoding.
        extra = self.rows[(ids - self.first).clamp(min=0, max=len(self.rows) - 1)].to(out.dtype)
        return torch.where(new[..., None], extra, out)


class TextualInversion(Method):
    text_trains = True

    def prepare(self, device: torch.device, weight_dtype: torch.dtype) -> None:
        base = self.base
        place(base, device, weight_dtype)
        ti = self.spec.textual_inversion
        count = ti.num_vectors or 1
        self.token = ti.token
        self.words = [ti.token] + [f"{ti.token}_{i}" for i in range(1, count)]
        self.wrappers: list[NewTokens] = []
        for tokenizer, encoder in zip(base.tokenizers, base.text_encoders, strict=True):
            clash = [w for w in self.words if w in tokenizer.get_vocab()]
            if clash:
                raise InvalidInput("textual_inversion.token", f"{clash[0]!r} is already a word of the tokenizer")
            embedding = encoder.get_input_embeddings()
            first = embedding.num_embeddings
            added = tokenizer.add_tokens(self.words)
            ids = tokenizer.convert_tokens_to_ids(self.words)
            if added != count or ids != list(range(first, first + count)):
                raise InvalidInput("textual_inversion.token", f"the tokenizer does not take {ti.token!r} as a word")
            wrapper = NewTokens(embedding, _initial_rows(tokenizer, embedding, ti.init_word or "", count)).to(device)
            encoder.set_input_embeddings(wrapper)
            self.wrappers.append(wrapper)
        self._pattern = re.compile(rf"(?<![\w-]){re.escape(ti.token)}(?![\w-])")

    def expand(self, prompt: str) -> str:
        return self._pattern.sub(" ".join(self.words), prompt)

    def modules(self) -> list[nn.Module]:
        return list(self.wrappers)

    def param_groups(self) -> list[dict]:
        named = [(f"text_encoder{'_2' if i else ''}.new_tokens", w.rows) for i, w in enumerate(self.wrappers)]
        return [group(named, self.rates.embedding)]

    def export(self, dest: Path, metadata: dict[str, str]) -> Exported:
        if self.base.xl:
            tensors = {"clip_l": self.wrappers[0].rows, "clip_g": self.wrappers[1].rows}
        else:
            tensors = {"emb_params": self.wrappers[0].rows}
        tensors = {k: v.detach().float() for k, v in tensors.items()}
        meta = {**metadata, "name": self.token, "string_to_token": self.token}
        path = save_tensors(tensors, dest / f"{self.token}.safetensors", meta)
        return Exported("embedding", "safetensors", path, self.token, {"vectors": len(self.words)})

    def close(self) -> None:
        for wrapper, encoder in zip(self.wrappers, self.base.text_encoders, strict=False):
            encoder.set_input_embeddings(wrapper.base)


def _initial_rows(tokenizer, embedding: nn.Embedding, word: str, count: int) -> torch.Tensor:
    """The init word's token vectors spread over `count` rows (the web UI's rule: row i takes vector
    i * len // count); zeros for an empty word."""
    ids = tokenizer(word, add_special_tokens=False).input_ids if word else []
    if not ids:
        return torch.zeros(count, embedding.embedding_dim)
    with torch.no_grad():
        vectors = embedding.weight[torch.tensor(ids, device=embedding.weight.device)].float().cpu()
    return torch.stack([vectors[i * len(ids) // count] for i in range(count)])
