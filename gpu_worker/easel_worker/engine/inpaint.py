"""What an inpaint or outpaint job repaints and how its results land back on the original, the web UI's way."""

from __future__ import annotations

from dataclasses import dataclass

from PIL import Image

from easel_proto.v1.jobs import GenerationSpec

from .controlnet import fit_image
from .masks import Box, composite, crop_box, fill_masked, outpaint_canvas, overlay_of, prepare_mask


@dataclass
class InpaintPlan:
    """The pipeline repaints `image` (spec size) where `mask` is white; `finish` puts a result back on `base`."""

    image: Image.Image
    mask: Image.Image
    base: Image.Image  # the output's canvas: the fitted init image, or the original one for "only masked"
    overlay: Image.Image  # L, base's size: how much of the generated image shows
    box: Box | None = None  # "only masked": where `image` was cut from base

    def finish(self, generated: Image.Image) -> Image.Image:
        """The result on base; pixels outside the mask stay exactly as they were."""
        if self.box is not None:
            x1, y1, x2, y2 = self.box
            placed = self.base.copy()
            placed.paste(generated.resize((x2 - x1, y2 - y1), Image.Resampling.LANCZOS), (x1, y1))
            generated = placed
        return composite(generated, self.base, self.overlay)

    def source(self, image: Image.Image) -> Image.Image:
        """Another input image (a ControlNet's) cut the way `image` was cut from the original."""
        if self.box is None:
            return image
        return image.resize(self.base.size, Image.Resampling.LANCZOS).crop(self.box)


def plan_inpaint(spec: GenerationSpec, init: Image.Image, mask: Image.Image | None) -> InpaintPlan:
    """Fit, crop or pad the init image and its mask for an inpaint (spec.mask) or outpaint (spec.outpaint) job."""
    width, height = spec.width, spec.height
    if mask is not None:
        mask = prepare_mask(mask, blur=spec.mask_blur or 0, invert=bool(spec.inpainting_mask_invert))
    if spec.outpaint is not None:
        pad = spec.outpaint
        canvas, mask = outpaint_canvas(init, mask, left=pad.left or 0, top=pad.top or 0, right=pad.right or 0,
                                       bottom=pad.bottom or 0, width=width, height=height)
        return InpaintPlan(_filled(spec, canvas, mask), mask, canvas, overlay_of(mask))
    if mask is None:
        raise ValueError("plan_inpaint needs a mask or an outpaint")
    if spec.inpaint_full_res:
        if mask.size != init.size:
            mask = mask.resize(init.size, Image.Resampling.LANCZOS)
        box = crop_box(mask, spec.inpaint_full_res_padding or 0, width, height)
        if box is not None:
            crop = init.crop(box).resize((width, height), Image.Resampling.LANCZOS)
            crop_mask = mask.crop(box).resize((width, height), Image.Resampling.LANCZOS)
            return InpaintPlan(_filled(spec, crop, crop_mask), crop_mask, init, overlay_of(mask), box)
    # latent_upscale has no pixel-space meaning for a mask: both are simply resized
    mode = spec.resize_mode if spec.resize_mode in ("crop_and_resize", "resize_and_fill") else "just_resize"
    base = fit_image(init, width, height, mode)
    mask = fit_image(mask, width, height, mode).convert("L")
    return InpaintPlan(_filled(spec, base, mask), mask, base, overlay_of(mask))


def _filled(spec: GenerationSpec, image: Image.Image, mask: Image.Image) -> Image.Image:
    return fill_masked(image, mask) if spec.inpainting_fill == "fill" else image
