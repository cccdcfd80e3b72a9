"""Client images (init images, masks, control images): decoded and checked in memory, stored only once a whole
request has passed its checks, so a refused request leaves nothing behind.

Each image's size is read from its header before anything big is decoded, against its own limits and against what
the job's images may add up to (`max_pixels`): sixteen 4096x4096 images once cost a gateway 9 s and 300 MB. A job's
images are all measured before any registry lookup, and decoded only once the rest of the request has passed.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import io
import re
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

from easel_common.storage import ObjectStore
from easel_gateway.settings import GatewaySettings
from easel_proto.errors import InvalidInput
from easel_proto.naming import input_key
from easel_proto.v1 import jobs
from easel_proto.v1.common import Principal

FORMATS = ("PNG", "JPEG", "WEBP")
_DATA_URL = re.compile(r"^data:(?P<type>[\w.+-]+/[\w.+-]+)?(?P<params>(?:;[^,;]*)*),", re.S)
_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Limits:
    """The most a client image may weigh (decoded bytes) and measure (pixels on each side), and the most pixels
    all of a job's images may have together."""

    max_bytes: int
    max_side: int
    max_pixels: int | None = None

    @classmethod
    def of(cls, settings: GatewaySettings) -> Limits:
        return cls(settings.max_input_bytes, settings.max_input_side, settings.max_input_pixels_per_request)


def unwrap(data: str, field: str, max_bytes: int) -> bytes:
    """The bytes of a base64 string or a base64 data: URL; InvalidInput on `field` otherwise."""
    if data.startswith(("http://", "https://")):
        raise InvalidInput(field, "images are not fetched from URLs; send base64 or a data: URL")
    if match := _DATA_URL.match(data):
        if ";base64" not in match["params"]:
            raise InvalidInput(field, "a data: URL must be base64-encoded (data:image/png;base64,...)")
        data = data[match.end():]
    data = _WHITESPACE.sub("", data)
    if len(data) > (max_bytes + 2) // 3 * 4 + 4:  # refuse before decoding what would be too big anyway
        raise InvalidInput(field, f"the image is over {max_bytes} bytes", limit=max_bytes)
    try:
        raw = base64.b64decode(data + "=" * (-len(data) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput(field, "is not valid base64") from None
    if not raw:
        raise InvalidInput(field, "the image is empty")
    if len(raw) > max_bytes:
        raise InvalidInput(field, f"the image is over {max_bytes} bytes", limit=max_bytes)
    return raw


def _check_size(width: int, height: int, field: str, limits: Limits, used: int) -> None:
    if width > limits.max_side or height > limits.max_side:
        raise InvalidInput(field, f"the image is {width}x{height}; at most {limits.max_side} pixels a side",
                           limit=limits.max_side)
    if limits.max_pixels is not None and used + width * height > limits.max_pixels:
        raise InvalidInput(field, f"with this {width}x{height} image, the request's images add up to "
                           f"{used + width * height} pixels; at most {limits.max_pixels}", limit=limits.max_pixels)


def _opened(raw: bytes, field: str) -> Image.Image:
    try:
        return Image.open(io.BytesIO(raw), formats=FORMATS)
    except (UnidentifiedImageError, Image.DecompressionBombError):
        raise InvalidInput(field, f"is not a {', '.join(FORMATS)} image") from None
    except (OSError, ValueError, SyntaxError):  # a truncated or corrupt header of a known format
        raise InvalidInput(field, "the image is damaged and cannot be decoded") from None


def header(data: str, field: str, limits: Limits, used: int = 0) -> tuple[bytes, int, int]:
    """A client image's bytes and size, read from its header (nothing big is decoded) and checked against the
    limits; `used`: the pixels of the request's images before this one."""
    raw = unwrap(data, field, limits.max_bytes)
    width, height = _opened(raw, field).size
    _check_size(width, height, field, limits, used)
    return raw, width, height


def to_png(raw: bytes, field: str, mode: str = "RGB") -> bytes:
    """Decode a measured image and re-encode it as a PNG in `mode` (RGB, or L for masks).

    Transparent pixels of an RGB image become white, as the web UI flattens them.
    """
    image = _opened(raw, field)
    try:
        image.load()
    except (OSError, ValueError, SyntaxError):  # a truncated or corrupt file of a known format
        raise InvalidInput(field, "the image is damaged and cannot be decoded") from None
    if mode == "RGB" and (image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info):
        white = Image.new("RGBA", image.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, image.convert("RGBA"))
    out = io.BytesIO()
    image.convert(mode).save(out, format="PNG")
    return out.getvalue()


def decode(data: str, field: str, limits: Limits, mode: str = "RGB", used: int = 0) -> tuple[bytes, int, int]:
    """Check a client image and re-encode it as a PNG in `mode`: (png, width, height)."""
    raw, width, height = header(data, field, limits, used)
    return to_png(raw, field, mode), width, height


Known = dict[tuple[str, str], jobs.InputImage]  # (digest of the data as sent, mode) -> the image stored for it


def _digest(data: str) -> str:
    return hashlib.sha256(data.encode()).hexdigest()


@dataclass
class _Measured:
    """An image checked from its header, waiting to be decoded (`stored`: an earlier job of the call stored it)."""

    raw: bytes | None
    width: int
    height: int
    seen: tuple[str, str] | None
    stored: jobs.InputImage | None = None


class Inputs:
    """The images of one job: each is measured (`measure`, from its header) and decoded (`add`), and all are
    stored by `save`.

    `known` is shared by the jobs of one web UI call (a script's every cell sends the same images): an image an
    earlier job stored is neither decoded nor counted again.
    """

    def __init__(self, caller: Principal, limits: Limits, known: Known | None = None) -> None:
        self.caller, self.limits, self.known = caller, limits, known
        self._measured: dict[str, _Measured] = {}
        self._pending: dict[str, bytes] = {}
        self._added: list[tuple[tuple[str, str], jobs.InputImage]] = []
        self._pixels = 0

    async def measure(self, data: str, field: str, mode: str = "RGB") -> tuple[int, int]:
        """Check one image's size from its header (off the event loop: base64 is CPU work); nothing is decoded."""
        seen = (await asyncio.to_thread(_digest, data), mode) if self.known is not None else None
        if seen is not None and seen in self.known:
            stored = self.known[seen]
            self._measured[field] = _Measured(None, stored.width, stored.height, seen, stored)
            return stored.width, stored.height
        raw, width, height = await asyncio.to_thread(header, data, field, self.limits, self._pixels)
        self._pixels += width * height
        self._measured[field] = _Measured(raw, width, height, seen)
        return width, height

    async def add(self, data: str, field: str, mode: str = "RGB") -> jobs.InputImage:
        """Decode one image (measured first if it was not) off the event loop; return where it will be stored."""
        if field not in self._measured:
            await self.measure(data, field, mode)
        measured = self._measured.pop(field)
        if measured.stored is not None:
            return measured.stored
        png = await asyncio.to_thread(to_png, measured.raw, field, mode)
        key = input_key(self.caller.tenant_id, self.caller.user_id, hashlib.sha256(png).hexdigest())
        self._pending[key] = png
        image = jobs.InputImage(key=key, width=measured.width, height=measured.height)
        if measured.seen is not None:
            self._added.append((measured.seen, image))
        return image

    async def save(self, store: ObjectStore) -> None:
        """Write every image; the same content twice is one object."""
        for key, png in self._pending.items():
            await store.put(key, png, content_type="image/png")
        self._pending.clear()
        if self.known is not None:
            self.known.update(self._added)
        self._added.clear()
