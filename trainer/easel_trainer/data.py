"""Training images: a folder of images with optional captions beside them, in a seeded order.

The order is a pure function of (seed, sample number): epoch e is a permutation drawn from a generator seeded with
(seed, e), and each sample's flip and prompt template come from the same draw. So a resumed run needs no saved
data state, only the step it stopped at, and sees exactly the batches an uninterrupted run would have.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageOps

from easel_proto.errors import InvalidInput

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".bmp")
MAX_IMAGES = 100_000


@dataclass(frozen=True)
class Item:
    """One training image and its caption."""

    path: Path
    caption: str


@dataclass(frozen=True)
class Sample:
    """One image of a batch: which item, mirrored or not, and its prompt."""

    item: int
    flip: bool
    prompt: str


def scan(folder: Path, *, caption_extension: str, default_caption: str, field: str) -> list[Item]:
    """The folder's images (sorted by name) with their captions; InvalidInput on `field` when it has none."""
    folder = Path(folder)
    paths = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
    if not paths:
        raise InvalidInput(field, f"{folder} holds no images ({', '.join(IMAGE_SUFFIXES)})")
    if len(paths) > MAX_IMAGES:
        raise InvalidInput(field, f"{len(paths)} images; at most {MAX_IMAGES}")
    items = []
    for path in paths:
        try:
            with Image.open(path) as opened:  # the header only: decoding waits until the image is first used
                opened.size  # noqa: B018
        except Exception as exc:
            raise InvalidInput(field, f"{path.name} is not a readable image ({type(exc).__name__})") from None
        caption_file = path.with_suffix(caption_extension)
        caption = default_caption
        if caption_file.is_file():
            caption = " ".join(caption_file.read_text(encoding="utf-8", errors="replace").split())
        items.append(Item(path, caption))
    return items


def prompt_for(template: str, caption: str, name: str) -> str:
    """The web UI's template words: [name] becomes the token, [filewords] the caption; an empty caption takes
    its separating comma with it."""
    text = template.replace("[name]", name)
    if not caption:
        text = re.sub(r"\s*,?\s*\[filewords\]\s*,?", ",", text).strip(" ,")
    return " ".join(text.replace("[filewords]", caption).split())


class Order:
    """Which samples make each micro-batch, the same on every run with the same seed."""

    def __init__(self, items: list[Item], *, seed: int, repeats: int, flip: bool, templates: list[str], name: str,
                 stream: int = 0) -> None:
        self.items, self.seed, self.flip, self.templates, self.name = items, seed, flip, templates, name
        self.per_epoch = len(items) * repeats
        self.stream = stream  # another stream (class images) draws another order from the same seed

    def batch(self, micro_step: int, size: int) -> list[Sample]:
        first = micro_step * size
        return [self.sample(k) for k in range(first, first + size)]

    def epoch_of(self, micro_step: int, size: int) -> int:
        return micro_step * size // self.per_epoch

    def sample(self, k: int) -> Sample:
        epoch, at = divmod(k, self.per_epoch)
        perm, flips, picks = self._epoch(epoch)
        index = int(perm[at]) % len(self.items)
        item = self.items[index]
        template = self.templates[int(picks[at]) % len(self.templates)]
        return Sample(index, bool(flips[at]) and self.flip, prompt_for(template, item.caption, self.name))

    @lru_cache(maxsize=4)  # noqa: B019 (an Order lives as long as its run)
    def _epoch(self, epoch: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        g = torch.Generator().manual_seed(_mix(self.seed, self.stream, epoch))
        n = self.per_epoch
        return torch.randperm(n, generator=g), torch.rand(n, generator=g) < 0.5, torch.randint(0, 1 << 30, (n,),
                                                                                               generator=g)


def _mix(*numbers: int) -> int:
    """One 63-bit seed from several numbers (distinct tuples give unrelated seeds)."""
    value = 0x9E3779B97F4A7C15
    for n in numbers:
        value = ((value ^ (n & 0xFFFFFFFFFFFFFFFF)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
        value ^= value >> 31
    return value & 0x7FFFFFFFFFFFFFFF


def step_generator(seed: int, micro_step: int, device: torch.device | str = "cpu") -> torch.Generator:
    """The generator of one micro-step's noise, timesteps and latent draw: a function of (seed, micro step) only,
    so a resumed run draws what an uninterrupted one would. It lives on the training device: drawing on the CPU
    and copying would make the host wait for the GPU every step."""
    return torch.Generator(device).manual_seed(_mix(seed, 1 << 40, micro_step))


def load_image(item: Item, resolution: int, field: str) -> tuple[torch.Tensor, tuple[int, int], tuple[int, int]]:
    """The image resized (shorter side to `resolution`) and centre-cropped, as a (3, r, r) tensor in [-1, 1];
    with its original (height, width) and the crop's (top, left) in resized pixels (SDXL's conditioning)."""
    try:
        with Image.open(item.path) as opened:
            image = ImageOps.exif_transpose(opened).convert("RGB")
    except Exception as exc:  # truncated, not an image, a decompression bomb...
        raise InvalidInput(field, f"{item.path.name} is not a readable image ({type(exc).__name__})") from None
    width, height = image.size
    scale = resolution / min(width, height)
    size = (max(resolution, round(width * scale)), max(resolution, round(height * scale)))
    image = image.resize(size, Image.Resampling.BICUBIC)
    left, top = (size[0] - resolution) // 2, (size[1] - resolution) // 2
    image = image.crop((left, top, left + resolution, top + resolution))
    array = np.asarray(image, dtype=np.float32) / 127.5 - 1.0
    return torch.from_numpy(array).permute(2, 0, 1).contiguous(), (height, width), (top, left)
