"""Prompt text to CLIP conditioning the way the web UI encodes it.

A prompt is parsed for emphasis and BREAK, tokenized into chunks of 75 tokens (each framed by BOS/EOS and padded
to 77), every chunk is encoded on its own, and each token's output is scaled by its weight with the chunk's mean
kept. Textual-inversion embeddings are spliced in as vectors for one call only: the tokenizer and text encoder
are never changed.

SDXL (encode_prompts_xl) runs the same chunks through both text encoders, takes each one's penultimate layer
(as the web UI does, whatever the clip skip), weights each the same way and sets them side by side; the pooled
vector is the second encoder's projection of the first chunk. An empty negative prompt is all zeros there (when
every negative text of the call is empty, as the web UI decides it for a schedule's texts).
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
XL_KEYS = ("clip_l", "clip_g")  # an SDXL embedding's vectors for the first and the second text encoder

Item = int | tuple[str, int]  # a token id, or (embedding name, index of one of its vectors)
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
        flat, rows, k = _chunk_all(tokenizer, [*prompts, *negatives], vectors)
        z, _ = _encode(tokenizer, encoder, flat, vectors, layer=-clip_skip, final_norm=True)
        z = z.reshape(rows, k * (CHUNK + 2), -1)
    return z[: len(prompts)], z[len(prompts) :]


def encode_prompts_xl(
    pipe: Any,
    prompts: Sequence[str],
    negatives: Sequence[str],
    *,
    embeddings: Mapping[str, Path] = {},
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """(prompt_embeds, negative_prompt_embeds, pooled_prompt_embeds, negative_pooled_prompt_embeds) for an
    SDXL pipeline: the first two (n, 77 * k, hidden_1 + hidden_2), the pooled ones (n, projection)."""
    pairs = [(pipe.tokenizer, pipe.text_encoder), (pipe.tokenizer_2, pipe.text_encoder_2)]
    pairs = [(t, e) for t, e in pairs if e is not None]  # a refiner has the second encoder only
    texts = [*prompts, *negatives]
    loaded = [{name: _load_embedding(name, path, encoder, key=XL_KEYS[i] if len(pairs) == 2 else XL_KEYS[1])
               for name, path in embeddings.items()} for i, (_, encoder) in enumerate(pairs)]
    counts = {name: {len(v[name]) for v in loaded} for name in embeddings}
    for name, seen in counts.items():
        if len(seen) > 1:
            raise InvalidInput("embeddings", f"{name}: clip_l and clip_g hold different numbers of vectors",
                               name=name)
    with torch.no_grad():
        flat, rows, k = _chunk_all(pairs[0][0], texts, loaded[0])
        states, pooled = [], None
        for (tokenizer, encoder), vectors in zip(pairs, loaded, strict=True):
            z, out = _encode(tokenizer, encoder, flat, vectors, layer=-2, final_norm=False)
            states.append(z.reshape(rows, k * (CHUNK + 2), -1))
            if hasattr(out, "text_embeds"):
                pooled = out.text_embeds.reshape(rows, k, -1)[:, 0]  # the first chunk's, as the web UI
        z = torch.cat(states, dim=-1)
        if pooled is None:
            raise InvalidInput("model", "this SDXL model has no text encoder with a projection (text_encoder_2)")
        if getattr(pipe.config, "force_zeros_for_empty_prompt", True) and not any(negatives):
            # as the web UI: only when every negative text is empty (a schedule may hold "" and others)
            z[len(prompts) :], pooled[len(prompts) :] = 0.0, 0.0
    n = len(prompts)
    return z[:n], z[n:], pooled[:n], pooled[n:]


def _chunk_all(tokenizer: Any, texts: Sequence[str],
               vectors: Mapping[str, torch.Tensor]) -> tuple[list[Chunk], int, int]:
    """Every text's chunks, padded to one count k with empty chunks (as the web UI pads cond and uncond to one
    length): (the chunks in order, len(texts), k)."""
    chunked = [_chunks(tokenizer, text, vectors) for text in texts]
    k = max((len(chunks) for chunks in chunked), default=1)
    return [chunk for chunks in chunked for chunk in chunks + [[]] * (k - len(chunks))], len(chunked), k


def _load_embedding(name: str, path: Path, encoder: Any, key: str | None = None) -> torch.Tensor:
    """The embedding's vectors (count, hidden) on the encoder's device and dtype; key picks an SDXL embedding's
    vectors for one encoder (clip_l or clip_g)."""
    try:
        tensors = load_file(path)
    except (SafetensorError, OSError) as exc:
        raise InvalidInput("embeddings", f"{name}: not a readable .safetensors file ({exc})", name=name) from None
    if key is not None:
        if key not in tensors:
            raise InvalidInput("embeddings", f"{name}: an SDXL embedding holds {' and '.join(XL_KEYS)}, found "
                               f"{sorted(tensors)}", name=name)
        vectors = tensors[key]
    elif "emb_params" in tensors:  # the web UI's format
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
    pieces: list[str | tuple[str]] = []
    start = 0
    for match in names.finditer(text):
        pieces += [text[start : match.start()], (match.group(0),)]
        start = match.end()
    pieces.append(text[start:])
    units: list[list[Item]] = []
    for piece in pieces:
        if isinstance(piece, tuple):
            units.append([(piece[0], i) for i in range(len(vectors[piece[0]]))])
        elif piece:
            ids = tokenizer(piece, add_special_tokens=False, truncation=False, verbose=False).input_ids
            units += [[token] for token in ids]
    return units


def _encode(tokenizer: Any, encoder: Any, chunks: list[Chunk], vectors: Mapping[str, torch.Tensor], *,
            layer: int, final_norm: bool) -> tuple[torch.Tensor, Any]:
    """Encode chunks as one batch: (len(chunks), 77, hidden) from hidden layer `layer` (-1 the last), emphasis
    applied per chunk; and the encoder's whole output."""
    ids = torch.full((len(chunks), CHUNK + 2), tokenizer.pad_token_id, dtype=torch.long)
    weights = torch.ones(len(chunks), CHUNK + 2)
    spliced: list[tuple[int, int, torch.Tensor]] = []  # (row, position, vector) for embedding vectors
    for row, chunk in enumerate(chunks):
        ids[row, 0] = tokenizer.bos_token_id
        ids[row, len(chunk) + 1] = tokenizer.eos_token_id
        for position, (item, weight) in enumerate(chunk, start=1):
            if isinstance(item, tuple):
                spliced.append((row, position, vectors[item[0]][item[1]]))
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
        out = encoder(ids.to(encoder.device), output_hidden_states=layer != -1 or not final_norm)
    finally:
        if hook is not None:
            hook.remove()
    if layer == -1 and final_norm:
        z = out.last_hidden_state
    else:
        z = out.hidden_states[layer]
        if final_norm:
            z = getattr(encoder, "text_model", encoder).final_layer_norm(z)  # transformers 4 nests it
    mean = z.mean(dim=(1, 2), keepdim=True)
    z = z * weights.to(z)[..., None]
    new_mean = z.mean(dim=(1, 2), keepdim=True)
    return z * torch.where(new_mean == 0, 1.0, mean / new_mean), out  # a zero mean has nothing to restore
