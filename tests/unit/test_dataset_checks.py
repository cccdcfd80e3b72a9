"""A dataset archive is read under caps that do not trust its headers: bytes counted as they are unpacked, members and
images counted, an image's pixels read from its header before anything is decoded."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

import pytest

from easel_proto.errors import InvalidInput, PayloadTooLarge
from easel_registry.dataset_checks import Limits, Part, images_from_archive, images_from_parts
from training_helpers import image_bytes

LIMITS = Limits(max_images=3, max_bytes=256 * 1024, min_side=32, max_pixels=512 * 512)


def _zip(tmp_path: Path, members: dict[str, bytes]) -> Path:
    path = tmp_path / "set.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def _png_header_claiming(width: int, height: int) -> bytes:
    """A PNG whose (valid) header claims a huge picture; its data is a few bytes."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 16)) + chunk(b"IEND", b"")


def test_an_archive_that_unpacks_past_the_cap_is_refused_as_it_is_read(tmp_path):
    """A megabyte of zeros compresses to a kilobyte: the cap counts what comes out, not the archive's size."""
    bomb = _zip(tmp_path, {"a.png": image_bytes(0), "b.png": b"\0" * (1024 * 1024)})
    assert bomb.stat().st_size < 16 * 1024
    with pytest.raises(PayloadTooLarge) as refused:
        images_from_archive(bomb, LIMITS)
    assert refused.value.status == 413 and refused.value.details["limit"] == LIMITS.max_bytes


def test_too_many_images_or_members_are_refused_before_any_is_read(tmp_path):
    many = _zip(tmp_path, {f"{i}.png": image_bytes(i) for i in range(4)})
    with pytest.raises(InvalidInput, match="at most 3") as refused:
        images_from_archive(many, LIMITS)
    assert refused.value.details["field"] == "archive"
    (tmp_path / "m").mkdir()
    crowded = _zip(tmp_path / "m", {f"notes/{i}.md": b"x" for i in range(4 * LIMITS.max_images + 17)})
    with pytest.raises(InvalidInput, match="members"):
        images_from_archive(crowded, LIMITS)


def test_an_image_whose_header_claims_too_many_pixels_is_refused_naming_it(tmp_path):
    for side in (4000, 40_000):  # past our cap; past Pillow's too (it refuses in the header)
        (tmp_path / str(side)).mkdir()
        archive = _zip(tmp_path / str(side), {"ok.png": image_bytes(0), "huge.png": _png_header_claiming(side, side)})
        with pytest.raises(InvalidInput, match=r"'huge.png': .*more than 262144 pixels") as refused:
            images_from_archive(archive, LIMITS)
        assert refused.value.details["field"] == "archive"
    part = tmp_path / "huge.png"
    part.write_bytes(_png_header_claiming(40_000, 40_000))
    ok = tmp_path / "ok.png"
    ok.write_bytes(image_bytes(0))
    with pytest.raises(InvalidInput) as refused:
        images_from_parts([Part(ok, "images.0"), Part(part, "images.1")], LIMITS)
    assert refused.value.details["field"] == "images.1"


def test_images_come_back_as_rgb_pngs_with_their_captions_in_path_order(tmp_path):
    rgba = io.BytesIO()
    from PIL import Image

    Image.new("RGBA", (40, 48), (10, 20, 30, 128)).save(rgba, format="PNG")
    archive = _zip(tmp_path, {"b/2.webp": image_bytes(2, fmt="WEBP"), "a/1.png": rgba.getvalue(),
                              "a/1.txt": "\ufeff  a caption \n".encode()})
    prepared = images_from_archive(archive, LIMITS)
    assert [(p.width, p.height, p.caption) for p in prepared] == [(40, 48, "a caption"), (64, 64, None)]
    for p in prepared:
        with Image.open(io.BytesIO(p.png)) as im:
            assert (im.format, im.mode) == ("PNG", "RGB")
