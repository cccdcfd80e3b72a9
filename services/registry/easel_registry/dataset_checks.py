"""A dataset's images, checked and re-encoded: blocking code the flow runs on a worker thread.

Uploads are untrusted: an archive is read member by member into memory (nothing is ever extracted by its own name,
so no path can point outside), and refused whole for a symlink, an unsafe path, too many members or more bytes than
the cap (counted as they are read, not taken from the headers). Every image must decode with Pillow, have at most
`max_pixels` (read from its header, before decoding) and a shorter side of at least `min_side`; it is stored again
as a PNG (orientation applied, RGB), so what the trainer reads is only pixels Easel wrote.
"""

from __future__ import annotations

import hashlib
import io
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from PIL import Image, ImageOps, UnidentifiedImageError

from easel_proto.errors import InvalidInput, PayloadTooLarge
from easel_registry.safety import check_path

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".bmp")
CAPTION_SUFFIX = ".txt"
MAX_CAPTION_CHARS = 2000
_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    max_images: int
    max_bytes: int
    min_side: int
    max_pixels: int


@dataclass(frozen=True)
class Prepared:
    """One image ready for the store: PNG bytes, its size in pixels, its caption."""

    png: bytes
    width: int
    height: int
    caption: str | None
    sha256: str


@dataclass(frozen=True)
class Part:
    """An uploaded image with the field that names it in errors (`images.3`)."""

    local: Path
    field: str
    caption: str | None = None


def images_from_parts(parts: list[Part], limits: Limits) -> list[Prepared]:
    """Images uploaded one by one (each part a file), in the order sent."""
    if not parts:
        raise InvalidInput("images", "send at least one image (or an archive)")
    if len(parts) > limits.max_images:
        raise InvalidInput("images", f"at most {limits.max_images} images")
    if sum(p.local.stat().st_size for p in parts) > limits.max_bytes:
        raise PayloadTooLarge(f"the images are over {limits.max_bytes} bytes", limit=limits.max_bytes)
    return [prepare(p.local.read_bytes(), p.field, _caption(p.caption, p.field), limits) for p in parts]


def images_from_archive(archive: Path, limits: Limits, field: str = "archive") -> list[Prepared]:
    """The images of a zip archive, each with the caption in `<image stem>.txt` beside it, in path order."""
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError):
        raise InvalidInput(field, "is not a zip archive") from None
    with zf:
        infos = zf.infolist()
        # captions and stray files count too, but a few per image at most
        if len(infos) > 4 * limits.max_images + 16:
            raise InvalidInput(field, f"has {len(infos)} members; at most {limits.max_images} images")
        members: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            name = info.filename
            if stat.S_ISLNK(info.external_attr >> 16):
                raise InvalidInput(field, f"{name!r} is a symbolic link; archives may hold only files")
            if info.is_dir():
                continue
            check_path(name.rstrip("/"), field)
            path = PurePosixPath(name)
            if any(part.startswith(".") for part in path.parts) or path.parts[0] == "__MACOSX":
                continue  # hidden files and the resource forks macOS adds
            members[name] = info
        images = sorted(n for n in members if PurePosixPath(n).suffix.lower() in IMAGE_SUFFIXES)
        if not images:
            raise InvalidInput(field, "holds no images (.png, .jpg, .jpeg, .webp, .bmp)")
        if len(images) > limits.max_images:
            raise InvalidInput(field, f"holds {len(images)} images; at most {limits.max_images}")
        budget = _Budget(limits.max_bytes)
        out = []
        for name in images:
            data = budget.read(zf, members[name])
            caption_name = str(PurePosixPath(name).with_suffix(CAPTION_SUFFIX))
            caption = None
            if caption_name in members:
                raw = budget.read(zf, members[caption_name])
                try:
                    caption = raw.decode("utf-8-sig")
                except UnicodeDecodeError:
                    raise InvalidInput(field, f"{caption_name!r} is not UTF-8 text") from None
            out.append(prepare(data, field, _caption(caption, field, caption_name), limits, name))
        return out


class _Budget:
    """Bytes read out of an archive, counted as they come (a member's header may lie about its size)."""

    def __init__(self, cap: int) -> None:
        self.cap, self.used = cap, 0

    def read(self, zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
        chunks = []
        with zf.open(info) as f:
            while chunk := f.read(_CHUNK):
                self.used += len(chunk)
                if self.used > self.cap:
                    raise PayloadTooLarge(f"the archive unpacks to more than {self.cap} bytes", limit=self.cap)
                chunks.append(chunk)
        return b"".join(chunks)


def _caption(text: str | None, field: str, name: str | None = None) -> str | None:
    if text is None:
        return None
    text = text.strip()
    if len(text) > MAX_CAPTION_CHARS:
        where = f"{name!r}: " if name else ""
        raise InvalidInput(field, f"{where}a caption is at most {MAX_CAPTION_CHARS} characters")
    return text or None


def prepare(data: bytes, field: str, caption: str | None, limits: Limits, name: str | None = None) -> Prepared:
    """One image decoded, checked and re-encoded as an RGB PNG; InvalidInput naming `field` (and the member)."""
    where = f"{name!r}: " if name else ""
    if not data:
        raise InvalidInput(field, f"{where}the image is empty")
    try:
        with Image.open(io.BytesIO(data)) as im:
            width, height = im.size
            if width * height > limits.max_pixels:
                raise InvalidInput(field, f"{where}{width}x{height} is more than {limits.max_pixels} pixels")
            im.load()
            rgb = ImageOps.exif_transpose(im).convert("RGB")
    except Image.DecompressionBombError:  # Pillow's own cap, met in the header before ours
        raise InvalidInput(field, f"{where}the image has more than {limits.max_pixels} pixels") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise InvalidInput(field, f"{where}not an image Easel can decode ({type(exc).__name__})") from None
    width, height = rgb.size
    if min(width, height) < limits.min_side:
        raise InvalidInput(field, f"{where}{width}x{height} is too small: each side needs at least "
                                  f"{limits.min_side} pixels")
    out = io.BytesIO()
    rgb.save(out, format="PNG")
    png = out.getvalue()
    return Prepared(png, width, height, caption, hashlib.sha256(png).hexdigest())
