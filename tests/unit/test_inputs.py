"""Client images: what decodes, what is refused (naming the field), and that nothing is stored before save."""

from __future__ import annotations

import base64
import hashlib
import io

import pytest
from PIL import Image

from easel_common.storage import LocalStore
from easel_gateway.admission.inputs import Inputs, Limits, decode
from easel_proto.errors import InvalidInput
from easel_proto.v1.common import Principal

LIMITS = Limits(max_bytes=1024 * 1024, max_side=256)


def encoded(image: Image.Image, fmt: str = "PNG") -> str:
    out = io.BytesIO()
    image.save(out, format=fmt)
    return base64.b64encode(out.getvalue()).decode()


def opened(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    return image


def refusal(data: str, field: str = "init_images.0", limits: Limits = LIMITS) -> str:
    with pytest.raises(InvalidInput) as caught:
        decode(data, field, limits)
    assert caught.value.details["field"] == field
    return caught.value.details["reason"]


def test_base64_and_data_urls_decode_to_an_rgb_png_of_the_same_size():
    data = encoded(Image.new("RGB", (40, 24), (10, 200, 30)))
    for sent in (data, f"data:image/png;base64,{data}", "\n".join(data[i:i + 60] for i in range(0, len(data), 60)),
                 data.rstrip("=")):
        png, width, height = decode(sent, "init_images.0", LIMITS)
        assert (width, height) == (40, 24)
        image = opened(png)
        assert image.mode == "RGB" and image.getpixel((5, 5)) == (10, 200, 30)


def test_jpeg_and_webp_are_accepted_and_stored_as_png():
    for fmt in ("JPEG", "WEBP"):
        png, width, height = decode(encoded(Image.new("RGB", (16, 8), "white"), fmt), "mask", LIMITS)
        assert (width, height) == (16, 8) and opened(png).size == (16, 8)


def test_transparent_pixels_become_white_and_masks_become_greyscale():
    image = Image.new("RGBA", (8, 8), (0, 0, 0, 0))
    image.putpixel((0, 0), (255, 0, 0, 255))
    png, _, _ = decode(encoded(image), "init_images.0", LIMITS)
    flat = opened(png)
    assert flat.getpixel((4, 4)) == (255, 255, 255) and flat.getpixel((0, 0)) == (255, 0, 0)
    mask, _, _ = decode(encoded(Image.new("RGB", (8, 8), "white")), "mask", LIMITS, mode="L")
    assert opened(mask).mode == "L" and opened(mask).getpixel((1, 1)) == 255


@pytest.mark.parametrize(("data", "reason"), [
    ("not base64 at all!", "is not valid base64"),
    ("data:image/png,rawbytes", "must be base64-encoded"),
    ("https://example.com/cat.png", "not fetched from URLs"),
    (base64.b64encode(b"just some text, not pixels").decode(), "is not a PNG, JPEG, WEBP image"),
    (encoded(Image.new("RGB", (8, 8)), "GIF"), "is not a PNG, JPEG, WEBP image"),
    (encoded(Image.new("RGB", (300, 8))), "at most 256 pixels a side"),
    ("data:image/png;base64,", "is empty"),
])
def test_bad_images_are_refused_naming_the_field(data, reason):
    assert reason in refusal(data, "controlnets.1.image")


def test_a_truncated_image_is_refused_as_damaged():
    raw = base64.b64decode(encoded(Image.effect_noise((64, 64), 50).convert("RGB")))
    assert "damaged" in refusal(base64.b64encode(raw[: len(raw) // 2]).decode())


def test_too_many_bytes_are_refused_before_decoding():
    big = base64.b64encode(b"\0" * 2048).decode()
    assert "over 1024 bytes" in refusal(big, limits=Limits(max_bytes=1024, max_side=256))


async def test_images_are_stored_under_their_owner_by_digest_only_on_save(tmp_path):
    store = LocalStore(tmp_path)
    caller = Principal(user_id="u1", tenant_id="acme", username="ann")
    inputs = Inputs(caller, LIMITS)
    data = encoded(Image.new("RGB", (16, 16), "blue"))
    first = await inputs.add(data, "init_images.0")
    again = await inputs.add(f"data:image/png;base64,{data}", "controlnets.0.image")
    assert first == again and (first.width, first.height) == (16, 16)
    assert await store.list("") == []  # checked, not stored yet
    await inputs.save(store)
    assert await store.list("") == [first.key]
    png = await store.get(first.key)
    assert first.key == f"acme/u1/inputs/{hashlib.sha256(png).hexdigest()}.png"
    assert opened(png).getpixel((0, 0)) == (0, 0, 255)
