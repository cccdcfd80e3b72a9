"""Prompt text to CLIP conditioning the way the web UI encodes it.

A prompt is parsed for emphasis and BREAK, tokenized into chunks of 75 tokens (each framed by BOS/EOS and padded
to 77), every chunk is encoded on its own, and each token's output is scaled by its weight with the chunk's mean
kept. Textual-inversion embeddings are spliced in as vectors for one call only: the tokenizer and text encoder
are never changed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file

from easel_common.prompts import BREAK, parse_attention, word_pattern
from easel_proto.errors import InvalidInput

CHUNK = 75  # prompt tokens per chunk; BOS and EOS make CLIP's 77
COMMA_BACKTRACK = 20  # the web UI's default: a full chunk breaks after a comma this close to its end

Item = int | torch.Tensor  # a token id, or one vector of an embedding
Chunk = list[tuple[Item, float]]


def encode_prompts(
    pipe: Any,
    prompts: Sequence[str],
    negatives: Sequence[str],
    *,
    clip_skip: int = 1,
    embeddings: Mapping[str, Path] = {},
) -> tuple[torch.Tensor, torch.Tensor]:
    """(prompt_embeds, negative_prompt_embeds), each (n, 77 * k, hidden) with one k for both."""
    tokenizer, encoder = pipe.tokenizer, pipe.text_encoder
    layers = encoder.config.num_hidden_layers
    if not 1 <= clip_skip <= layers:
        raise InvalidInput("clip_skip", f"must be between 1 and {layers} for this model's text encoder")
    vectors = {name: _load_embedding(name, path, encoder) for name, path in embeddings.items()}
    with torch.no_grad():
        chunked = [_chunks(tokenizer, text, vectors) for text in [*prompts, *negatives]]
        k = max((len(chunks) for chunks in chunked), default=1)
        # Shorter prompts are padded with empty chunks, as the web UI pads cond and uncond to one length.
        flat = [chunk for chunks in chunked for chunk in chunks + [[]] * (k - len(chunks))]
        z = _encode(tokenizer, encoder, flat, clip_skip).reshape(len(chunked), k * (CHUNK + 2), -1)
    return z[: len(prompts)], z[len(prompts) :]


def _load_embedding(name: str, path: Path, encoder: Any) -> torch.Tensor:
    """The embedding's vectors (count, hidden) on the encoder's device and dtype."""
    try:
        tensors = load_file(path)
    except (SafetensorError, OSError) as exc:
        raise InvalidInput("embeddings", f"{name}: not a readable .safetensors file ({exc})", name=name) from None
    if "emb_params" in tensors:  # the web UI's format
        vectors = tensors["emb_params"]
    elif len(tensors) == 1:  # diffusers' format: {token: vectors}
        vectors = next(iter(tensors.values()))
    else:
        raise InvalidInput("embeddings", f"{name}: expected one tensor or 'emb_params', found {sorted(tensors)}",
                           name=name)
    if vectors.ndim == 1:
        vectors = vectors[None]
    hidden = encoder.get_input_embeddings().embedding_dim
    if vectors.ndim != 2 or vectors.shape[1] != hidden:
        raise InvalidInput("embeddings", f"{name}: vectors of shape {tuple(vectors.shape)} do not fit this "
                           f"model's text encoder (hidden size {hidden})", name=name)
    if not 1 <= len(vectors) <= CHUNK:
        raise InvalidInput("embeddings", f"{name}: has {len(vectors)} vectors; 1 to {CHUNK} fit a prompt", name=name)
    return vectors.to(encoder.device, encoder.dtype)


def _chunks(tokenizer: Any, text: str, vectors: Mapping[str, torch.Tensor]) -> list[Chunk]:
    """The prompt's chunks of at most 75 weighted items, split the web UI's way."""
    comma = tokenizer.get_vocab().get(",</w>")
    names = word_pattern(vectors)
    chunks: list[Chunk] = []
    chunk: Chunk = []
    last_comma = -1

    def close() -> None:
        nonlocal chunk, last_comma
        chunks.append(chunk)
        chunk, last_comma = [], -1

    for part, weight in parse_attention(text):
        if (part, weight) == BREAK:
            close()
            continue
        for unit in _units(tokenizer, part, vectors, names):
            is_comma = isinstance(unit[0], int) and unit[0] == comma
            if len(chunk) + len(unit) > CHUNK:
                tail: Chunk = []
                if not is_comma and last_comma >= 0 and len(chunk) - last_comma <= COMMA_BACKTRACK:
                    chunk, tail = chunk[: last_comma + 1], chunk[last_comma + 1 :]
                close()
                chunk = tail
            if is_comma:
                last_comma = len(chunk)
            chunk.extend((item, weight) for item in unit)
    if chunk or not chunks:
        close()
    return chunks


def _units(tokenizer: Any, text: str, vectors: Mapping[str, torch.Tensor], names: re.Pattern) -> list[list[Item]]:
    """The text as units that stay in one chunk: single tokens, and each named embedding's vectors."""
    pieces, start = [], 0
    for match in names.finditer(text):
        pieces += [text[start : match.start()], vectors[match.group(0)]]
        start = match.end()
    pieces.append(text[start:])
    units: list[list[Item]] = []
    for piece in pieces:
        if isinstance(piece, torch.Tensor):
            units.append(list(piece))
        elif piece:
            ids = tokenizer(piece, add_special_tokens=False, truncation=False, verbose=False).input_ids
            units += [[token] for token in ids]
    return units


def _encode(tokenizer: Any, encoder: Any, chunks: list[Chunk], clip_skip: int) -> torch.Tensor:
    """Encode chunks as one batch: (len(chunks), 77, hidden), emphasis applied per chunk."""
    ids = torch.full((len(chunks), CHUNK + 2), tokenizer.pad_token_id, dtype=torch.long)
    weights = torch.ones(len(chunks), CHUNK + 2)
    spliced: list[tuple[int, int, torch.Tensor]] = []  # (row, position, vector) for embedding vectors
    for row, chunk in enumerate(chunks):
        ids[row, 0] = tokenizer.bos_token_id
        ids[row, len(chunk) + 1] = tokenizer.eos_token_id
        for position, (item, weight) in enumerate(chunk, start=1):
            if isinstance(item, torch.Tensor):
                spliced.append((row, position, item))
                item = 0  # a placeholder; its token embedding is replaced below
            ids[row, position] = item
            weights[row, position] = weight

    def splice(_module, _args, output: torch.Tensor) -> torch.Tensor:
        for row, position, vector in spliced:
            output[row, position] = vector
        return output

    # The hook lives only for this forward pass, so no embedding outlives the call.
    hook = encoder.get_input_embeddings().register_forward_hook(splice) if spliced else None
    try:
        out = encoder(ids.to(encoder.device), output_hidden_states=clip_skip > 1)
    finally:
        if hook is not None:
            hook.remove()
    if clip_skip > 1:
        final_norm = getattr(encoder, "text_model", encoder).final_layer_norm  # transformers 4 nests it
        z = final_norm(out.hidden_states[-clip_skip])
    else:
        z = out.last_hidden_state
    mean = z.mean(dim=(1, 2), keepdim=True)
    z = z * weights.to(z)[..., None]
    new_mean = z.mean(dim=(1, 2), keepdim=True)
    return z * torch.where(new_mean == 0, 1.0, mean / new_mean)  # a zero mean has nothing to restore
