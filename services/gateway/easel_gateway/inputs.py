"""Client images (init images, masks, control images): decoded and checked in memory, stored only once a whole
request has passed its checks, so a refused request leaves nothing behind."""

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
from easel_proto.errors import InvalidInput
from easel_proto.naming import input_key
from easel_proto.v1 import jobs
from easel_proto.v1.common import Principal

FORMATS = ("PNG", "JPEG", "WEBP")
_DATA_URL = re.compile(r"^data:(?P<type>[\w.+-]+/[\w.+-]+)?(?P<params>(?:;[^,;]*)*),", re.S)
_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Limits:
    """The most a client image may weigh (decoded bytes) and measure (pixels on each side)."""

    max_bytes: int
    max_side: int


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


def decode(data: str, field: str, limits: Limits, mode: str = "RGB") -> tuple[bytes, int, int]:
    """Check a client image and re-encode it as a PNG in `mode` (RGB, or L for masks): (png, width, height).

    Transparent pixels of an RGB image become white, as the web UI flattens them.
    """
    raw = unwrap(data, field, limits.max_bytes)
    try:
        image = Image.open(io.BytesIO(raw), formats=FORMATS)
        width, height = image.size  # read from the header: nothing big is decoded before this check
        if width > limits.max_side or height > limits.max_side:
            raise InvalidInput(field, f"the image is {width}x{height}; at most {limits.max_side} pixels a side",
                               limit=limits.max_side)
        image.load()
    except (UnidentifiedImageError, Image.DecompressionBombError):
        raise InvalidInput(field, f"is not a {', '.join(FORMATS)} image") from None
    except (OSError, ValueError, SyntaxError):  # a truncated or corrupt file of a known format
        raise InvalidInput(field, "the image is damaged and cannot be decoded") from None
    if mode == "RGB" and (image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info):
        white = Image.new("RGBA", image.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, image.convert("RGBA"))
    out = io.BytesIO()
    image.convert(mode).save(out, format="PNG")
    return out.getvalue(), width, height


class Inputs:
    """The images of one request: each is checked as it is added, and all are stored by `save`."""

    def __init__(self, caller: Principal, limits: Limits) -> None:
        self.caller, self.limits = caller, limits
        self._pending: dict[str, bytes] = {}

    async def add(self, data: str, field: str, mode: str = "RGB") -> jobs.InputImage:
        """Check one image (off the event loop: decoding is CPU work) and return where it will be stored."""
        png, width, height = await asyncio.to_thread(decode, data, field, self.limits, mode)
        key = input_key(self.caller.tenant_id, self.caller.user_id, hashlib.sha256(png).hexdigest())
        self._pending[key] = png
        return jobs.InputImage(key=key, width=width, height=height)

    async def save(self, store: ObjectStore) -> None:
        """Write every image; the same content twice is one object."""
        for key, png in self._pending.items():
            await store.put(key, png, content_type="image/png")
        self._pending.clear()
