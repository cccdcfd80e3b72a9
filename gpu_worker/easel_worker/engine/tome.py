"""Token merging for Stable Diffusion (ToMe for SD, Bolya and Hoffman 2023), the web UI's `token_merging_ratio`.

Before the self-attention of each transformer block at the UNet's highest-resolution attention level, the most
similar `ratio` of the tokens are merged (bipartite soft matching: in every 2x2 cell of the latent one token,
chosen at random, is a destination; each other token is merged into its most similar destination, the most
similar pairs first); after the attention the merged tokens are copied back out, so the rest of the block sees
every token again. Attention then costs about (1 - ratio)^2 of its time at that level.

Easel has its own implementation: the `tomesd` package, which the web UI uses, is unmaintained and patches
diffusers' block classes of its time (it does not fit the diffusers release the worker pins). Here nothing is
replaced: hooks on the blocks and their self-attention, added for one pass and removed after it, so the module
is the same object, with the same weights and no hooks left, for the next job. The random cells come from a
CPU generator seeded by the pass's first seed, so a seed gives the same image on every device. A job with
token merging runs eagerly (the hooks would make a compiled graph recompile: compile.py) and alone (its random
cells follow the first seed of its call, which a batch of other jobs' seeds would change: batching.py).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import torch
from diffusers.models.attention import BasicTransformerBlock

MAX_RATIO = 0.9  # the web UI's slider
CELL = (2, 2)  # (sy, sx): one destination token per cell
_SALT = 0x70D0  # the generator's seed is the pass's first seed mixed with this, apart from the noise's

Merge = Callable[[torch.Tensor], torch.Tensor]


def merges_tokens(spec: Any) -> bool:
    """Whether any pass of the job (a GenerationSpec) merges tokens."""
    hires = spec.hires
    return bool(spec.token_merging_ratio or (hires is not None and hires.token_merging_ratio))


def _keep(x: torch.Tensor) -> torch.Tensor:
    return x


def partition(h: int, w: int, cells: torch.Tensor, device: torch.device) -> tuple[torch.Tensor, int]:
    """The tokens of an h x w grid ordered destinations first, then sources (1 x N x 1), and how many
    destinations there are. cells: for each 2x2 cell (h // 2 x w // 2), the index 0..3 of its destination."""
    sy, sx = CELL
    hsy, wsx = h // sy, w // sx
    view = torch.zeros(hsy, wsx, sy * sx, device=device, dtype=torch.int64)
    index = cells.to(device).view(hsy, wsx, 1)
    view.scatter_(2, index, -torch.ones_like(index))
    view = view.view(hsy, wsx, sy, sx).transpose(1, 2).reshape(hsy * sy, wsx * sx)
    if hsy * sy < h or wsx * sx < w:  # an odd side: its last row or column are sources
        grid = torch.zeros(h, w, device=device, dtype=torch.int64)
        grid[:hsy * sy, :wsx * sx] = view
    else:
        grid = view
    # destinations are -1, sources 0: a stable sort puts the destinations first, each part in grid order
    return grid.reshape(1, -1, 1).argsort(dim=1, stable=True), hsy * wsx


def bipartite_soft_matching_2d(metric: torch.Tensor, r: int, order: torch.Tensor,
                               num_dst: int) -> tuple[Merge, Merge]:
    """(merge, unmerge) for tokens (metric: B x N x C) split by `partition`: r sources merged into their most
    similar destinations (cosine similarity), the most similar first."""
    batch, n, _ = metric.shape
    if r <= 0:
        return _keep, _keep
    with torch.no_grad():
        a_idx, b_idx = order[:, num_dst:, :], order[:, :num_dst, :]  # sources, destinations

        def split(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
            c = x.shape[-1]
            src = torch.gather(x, 1, a_idx.expand(x.shape[0], n - num_dst, c))
            dst = torch.gather(x, 1, b_idx.expand(x.shape[0], num_dst, c))
            return src, dst

        unit = metric / metric.norm(dim=-1, keepdim=True)
        a, b = split(unit)
        scores = a @ b.transpose(-1, -2)
        r = min(a.shape[1], r)
        node_max, node_idx = scores.max(dim=-1)
        edge_idx = node_max.argsort(dim=-1, descending=True, stable=True)[..., None]
        unm_idx, src_idx = edge_idx[..., r:, :], edge_idx[..., :r, :]
        dst_idx = torch.gather(node_idx[..., None], -2, src_idx)

    def merge(x: torch.Tensor) -> torch.Tensor:
        src, dst = split(x)
        rows, t1, c = src.shape
        unm = torch.gather(src, -2, unm_idx.expand(rows, t1 - r, c))
        src = torch.gather(src, -2, src_idx.expand(rows, r, c))
        dst = dst.scatter_reduce(-2, dst_idx.expand(rows, r, c), src, reduce="mean")
        return torch.cat([unm, dst], dim=1)

    def unmerge(x: torch.Tensor) -> torch.Tensor:
        unm_len = unm_idx.shape[1]
        unm, dst = x[..., :unm_len, :], x[..., unm_len:, :]
        c = unm.shape[-1]
        src = torch.gather(dst, -2, dst_idx.expand(batch, r, c))
        out = torch.zeros(batch, n, c, device=x.device, dtype=x.dtype)
        sources = a_idx.expand(batch, a_idx.shape[1], 1)
        out.scatter_(-2, b_idx.expand(batch, num_dst, c), dst)
        out.scatter_(-2, torch.gather(sources, 1, unm_idx).expand(batch, unm_len, c), unm)
        out.scatter_(-2, torch.gather(sources, 1, src_idx).expand(batch, r, c), src)
        return out

    return merge, unmerge


def merge_levels(unet: Any) -> int:
    """The largest downsampling (1, 2, 4...) whose attention merges tokens: the UNet's highest-resolution level
    with transformer blocks (SD 1.x/2.x: the full latent, 1; SDXL, whose first level has none: 2)."""
    for level, kind in enumerate(unet.config.down_block_types):
        if "CrossAttn" in kind:
            return 2 ** level
    return 1


class _State:
    """One pass's token merging: the latent's size per UNet call, its random cells, the current block's merge."""

    def __init__(self, ratio: float, seed: int, max_downsample: int) -> None:
        self.ratio, self.max_downsample = ratio, max_downsample
        self.generator = torch.Generator("cpu").manual_seed((int(seed) ^ _SALT) & 0xFFFF_FFFF_FFFF)
        self.size: tuple[int, int] = (0, 0)  # the latent's (h, w) in the current UNet call
        self.orders: dict[tuple[int, int], tuple[torch.Tensor, int]] = {}  # partition per grid, this UNet call
        self.pending: list[tuple[Merge, Merge]] = []  # the current block's (merge, unmerge), none when skipped

    def unet_call(self, sample: torch.Tensor) -> None:
        self.size = (int(sample.shape[-2]), int(sample.shape[-1]))
        self.orders = {}

    def block_input(self, x: torch.Tensor) -> None:
        self.pending = []
        h0, w0 = self.size
        n = x.shape[1]
        if not h0 or x.ndim != 3 or n == 0:
            return
        downsample = math.ceil(math.sqrt(h0 * w0 / n))
        if downsample > self.max_downsample:
            return
        h, w = math.ceil(h0 / downsample), math.ceil(w0 / downsample)
        if h * w != n or h < CELL[0] or w < CELL[1]:
            return
        order = self.orders.get((h, w))
        if order is None:  # drawn on the CPU, once per grid and UNet call: every block of the level shares it
            cells = torch.randint(CELL[0] * CELL[1], (h // CELL[0], w // CELL[1]), generator=self.generator)
            order = self.orders[(h, w)] = partition(h, w, cells, x.device)
        self.pending = [bipartite_soft_matching_2d(x, int(n * self.ratio), *order)]


def _blocks(unet: Any) -> Iterator[BasicTransformerBlock]:
    for module in unet.modules():
        if isinstance(module, BasicTransformerBlock):
            yield module


@contextmanager
def merged_tokens(unet: Any, ratio: float | None, seed: int) -> Iterator[None]:
    """Within the block, `unet`'s self-attention at its merge level runs on tokens merged by `ratio`; nothing at
    all is installed for a ratio of 0 or None. The hooks are removed however the block ends."""
    if not ratio:
        yield
        return
    if not 0 < ratio <= MAX_RATIO:
        raise ValueError(f"token merging ratio must be within 0..{MAX_RATIO}, got {ratio}")
    state = _State(float(ratio), seed, merge_levels(unet))
    handles = [unet.register_forward_pre_hook(
        lambda _m, args, kwargs: state.unet_call(args[0] if args else kwargs["sample"]), with_kwargs=True)]

    def before_block(_m: Any, args: tuple, kwargs: dict) -> None:
        state.block_input(args[0] if args else kwargs["hidden_states"])

    def before_attention(_m: Any, args: tuple, kwargs: dict) -> Any:
        if not state.pending or not args:
            state.pending = []  # not merged: nothing to unmerge
            return None
        merge, _ = state.pending[0]
        return (merge(args[0]), *args[1:]), kwargs

    def after_attention(_m: Any, _args: tuple, _kwargs: dict, out: torch.Tensor) -> Any:
        if not state.pending:
            return None
        _, unmerge = state.pending.pop()
        return unmerge(out)

    try:
        for block in _blocks(unet):
            if block.only_cross_attention or block.attn1 is None:
                continue
            handles.append(block.register_forward_pre_hook(before_block, with_kwargs=True))
            handles.append(block.attn1.register_forward_pre_hook(before_attention, with_kwargs=True))
            handles.append(block.attn1.register_forward_hook(after_attention, with_kwargs=True))
        yield
    finally:
        for handle in handles:
            handle.remove()
