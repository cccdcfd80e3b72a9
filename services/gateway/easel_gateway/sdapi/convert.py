"""A web UI payload as an Easel job request: txt2img, img2img (inpaint), extras.

Each conversion also returns where each job field came from, so a refusal (here, or when the job is resolved)
names the field as the client sent it. Nothing here touches the network.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from easel_gateway.admission.limits import seed_resize
from easel_gateway.sdapi import infotext, units, vocab
from easel_gateway.sdapi.fields import as_sent
from easel_gateway.sdapi.option_table import MAX_TOKEN_MERGING
from easel_gateway.sdapi.payloads import ExtrasOptions, Generation, Img2Img, Txt2Img
from easel_proto.errors import InvalidInput
from easel_proto.v1 import jobs

SAME = ("", "None", "Use same checkpoint", "Use same sampler", "Use same scheduler")


@dataclass
class Converted:
    """A job request, and for each of its fields the payload field it came from."""

    job: jobs.JobRequest
    names: dict[str, str] = field(default_factory=dict)


def _refuse_unsupported(p: Generation) -> None:
    for key in p.alwayson_scripts or {}:
        if key.lower() != "controlnet":
            raise InvalidInput(f"alwayson_scripts.{key}", f"always on script {key} not found")


def _size(value: int | None, name: str) -> int | None:
    """The web UI works in multiples of 8: 515 is 512."""
    if value is None:
        return None
    if value < 8:
        raise InvalidInput(name, f"must be at least 8 (got {value})")
    return value // 8 * 8


def _overrides(settings: dict[str, Any] | None) -> dict[str, Any]:
    """override_settings Easel acts on, for this job only: checkpoint, VAE, CLIP skip (token merging:
    _token_merging; the rest is ignored)."""
    settings = settings or {}
    out: dict[str, Any] = {}
    for key, target, kind in (("sd_model_checkpoint", "model", str), ("sd_vae", "vae", str),
                              ("CLIP_stop_at_last_layers", "clip_skip", int)):
        value = settings.get(key)
        if value in (None, ""):
            continue
        if not isinstance(value, kind) or isinstance(value, bool):
            raise InvalidInput(f"override_settings.{key}", f"must be a {kind.__name__} (got {value!r})")
        out[target] = value
    return out


# The web UI's SDXL options, as SdxlConditioning fields with the web UI's defaults.
SDXL_OPTIONS = {"sdxl_crop_top": ("crop_top", 0), "sdxl_crop_left": ("crop_left", 0),
                "sdxl_refiner_high_aesthetic_score": ("aesthetic_score", 6.0),
                "sdxl_refiner_low_aesthetic_score": ("negative_aesthetic_score", 2.5)}


def _sdxl(p: Generation) -> dict[str, Any]:
    """The refiner, and the SDXL options of override_settings that differ from the web UI's defaults (SDXL-only
    fields: left for the job request to refuse on other checkpoints, naming them)."""
    out: dict[str, Any] = {}
    if p.refiner_checkpoint not in (None, *SAME):
        out["refiner"] = {"model": p.refiner_checkpoint,
                          "switch_at": 0.8 if p.refiner_switch_at is None else p.refiner_switch_at}
    settings = p.override_settings or {}
    sdxl = {name: settings[key] for key, (name, default) in SDXL_OPTIONS.items()
            if settings.get(key) not in (None, default)}
    if sdxl:
        out["sdxl"] = sdxl
    return out


def _ratio(p: Generation, options: dict[str, Any] | None, key: str) -> tuple[float, str]:
    """A token merging option (override_settings, else the caller's saved options, else 0) and its field."""
    settings, saved = p.override_settings or {}, options or {}
    name = f"override_settings.{key}" if key in settings else key
    value = settings.get(key, saved.get(key, 0.0))
    if value is None:
        value = 0.0
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= MAX_TOKEN_MERGING:
        raise InvalidInput(name, f"must be a share of the tokens within 0..{MAX_TOKEN_MERGING} (got {value!r})")
    return float(value), name


def _token_merging(p: Generation, options: dict[str, Any] | None, values: dict[str, Any],
                   names: dict[str, str], img2img: bool) -> None:
    """Token merging as the web UI picks it: txt2img takes token_merging_ratio and its hires pass
    token_merging_ratio_hr (0: the first pass's); img2img token_merging_ratio when override_settings set it, else
    token_merging_ratio_img2img, else token_merging_ratio."""
    first, name = _ratio(p, options, "token_merging_ratio")
    if img2img and not (name.startswith("override_settings.") and first):
        own, own_name = _ratio(p, options, "token_merging_ratio_img2img")
        if own:
            first, name = own, own_name
    if first:
        values["token_merging_ratio"] = first
        names["token_merging_ratio"] = name
    if not img2img and values.get("hires") is not None:
        hr, hr_name = _ratio(p, options, "token_merging_ratio_hr")
        values["hires"]["token_merging_ratio"] = hr or first
        names["hires.token_merging_ratio"] = hr_name if hr else name


def _with_infotext(p: Generation) -> Generation:
    if not p.infotext:
        return p
    return p.model_copy(update=infotext.fill(p.model_fields_set, p.infotext))


def _face_restore(p: Generation, options: dict[str, Any] | None) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """restore_faces as one face restoration pass (the web UI: at full visibility), by the options
    face_restoration_model and code_former_weight (override_settings, else the caller's saved options, else the
    web UI's defaults). restore_faces left out takes the face_restoration option, as the web UI does."""
    settings, saved = p.override_settings or {}, options or {}
    restore = p.restore_faces
    if restore is None:
        restore = settings.get("face_restoration", saved.get("face_restoration", False)) is True
    if not restore:
        return [], {}
    source = "override_settings." if "face_restoration_model" in settings else ""
    name = settings.get("face_restoration_model", saved.get("face_restoration_model", "CodeFormer"))
    if not isinstance(name, str) or name in ("", "None"):
        raise InvalidInput(source + "face_restoration_model", "restore_faces needs a face restoration model "
                           f"(CodeFormer or GFPGAN; got {name!r})")
    weight_source = "override_settings." if "code_former_weight" in settings else ""
    weight = settings.get("code_former_weight", saved.get("code_former_weight", 0.5))
    if isinstance(weight, bool) or not isinstance(weight, int | float) or not 0 <= weight <= 1:
        raise InvalidInput(weight_source + "code_former_weight", f"must be a number 0..1 (got {weight!r})")
    names = {"face_restore.0.restorer": source + "face_restoration_model" if source else "restore_faces",
             "face_restore.0.detector": "restore_faces",
             "face_restore.0.codeformer_weight": weight_source + "code_former_weight"}
    return [{"restorer": name, "codeformer_weight": float(weight)}], names


def _common(p: Generation, options: dict[str, Any] | None = None) -> tuple[dict[str, Any], dict[str, str]]:
    """The job fields every generation payload gives, and their names in it (`options`: the caller's saved web UI
    options, for face restoration)."""
    _refuse_unsupported(p)
    face_restore, face_names = _face_restore(p, options)
    sampler_field = "sampler_name" if p.sampler_name else "sampler_index"
    sampler, schedule = vocab.sampler(p.sampler_name or p.sampler_index, sampler_field)
    scheduler = vocab.scheduler(p.scheduler, warnings=[])  # unknown: automatic; `warnings` tells the caller
    if schedule and scheduler in (None, "automatic"):
        scheduler = schedule
    styles = [(i, name) for i, name in enumerate(p.styles or []) if name]
    controlnets, names = units.units(p.alwayson_scripts or {})
    names["sampler"] = sampler_field
    names |= face_names
    names |= {f"styles.{n}": f"styles.{i}" for n, (i, _) in enumerate(styles)}
    values = dict(
        prompt=p.prompt or "", negative_prompt=p.negative_prompt, styles=[name for _, name in styles],
        sampler=sampler, scheduler=scheduler, steps=p.steps, cfg_scale=p.cfg_scale,
        width=_size(p.width, "width"), height=_size(p.height, "height"), seed=p.seed, batch_size=p.batch_size,
        n_iter=p.n_iter, subseed=p.subseed, subseed_strength=p.subseed_strength or 0.0,
        seed_resize_from_w=seed_resize(p.seed_resize_from_w), seed_resize_from_h=seed_resize(p.seed_resize_from_h),
        eta=p.eta, s_churn=p.s_churn, s_tmin=p.s_tmin, s_tmax=p.s_tmax, s_noise=p.s_noise, tiling=bool(p.tiling),
        controlnets=controlnets, **_overrides(p.override_settings), **_sdxl(p),
    )
    if face_restore:
        values["face_restore"] = face_restore
    return values, names


def warnings(p: Generation) -> list[str]:
    """What the conversion corrected rather than refused, as the web UI does (an unknown scheduler is automatic)."""
    found: list[str] = []
    p = _with_infotext(p)
    vocab.scheduler(p.scheduler, "scheduler", found)
    if isinstance(p, Txt2Img) and p.enable_hr and p.hr_scheduler not in SAME:
        vocab.scheduler(p.hr_scheduler, "hr_scheduler", found)
    return found


def _hires(p: Txt2Img, sampler: str | None, scheduler: str | None) -> dict[str, Any] | None:
    """The hires fix's fields (left for the job request to check, so a bad one is named in full)."""
    if not p.enable_hr:
        return None
    if p.hr_checkpoint_name not in (None, *SAME):
        raise InvalidInput("hr_checkpoint_name", "the hires pass uses the first pass's checkpoint; send null")
    hr_sampler, _ = vocab.sampler(None if p.hr_sampler_name in SAME else p.hr_sampler_name, "hr_sampler_name")
    if hr_sampler not in (None, sampler):
        raise InvalidInput("hr_sampler_name", "the hires pass uses the first pass's sampler; send null")
    hr_scheduler = vocab.scheduler(None if p.hr_scheduler in SAME else p.hr_scheduler, "hr_scheduler", [])
    if hr_scheduler not in (None, scheduler, "automatic"):
        raise InvalidInput("hr_scheduler", "the hires pass uses the first pass's scheduler; send null")
    values: dict[str, Any] = dict(
        scale=p.hr_scale, width=p.hr_resize_x or None, height=p.hr_resize_y or None,
        upscaler=p.hr_upscaler or None, steps=p.hr_second_pass_steps or None,
        prompt=p.hr_prompt or None, negative_prompt=p.hr_negative_prompt or None,
        # the web UI's txt2img default; on txt2img, denoising_strength is the hires pass's
        denoising_strength=0.75 if p.denoising_strength is None else p.denoising_strength,
    )
    return values


def txt2img(p: Txt2Img, *, model: str | None = None, pool: str | None = None,
            options: dict[str, Any] | None = None) -> Converted:
    """A /sdapi/v1/txt2img payload (with `model`: that checkpoint, as /inference names it)."""
    p = _with_infotext(p)
    names: dict[str, str] = {}
    with as_sent(names):
        values, common = _common(p, options)
        names.update(common)
        values["hires"] = _hires(p, values["sampler"], values["scheduler"])
        _token_merging(p, options, values, names, img2img=False)
        return Converted(_job(values, model, pool, names), names)


def img2img(p: Img2Img, *, model: str | None = None, pool: str | None = None,
            options: dict[str, Any] | None = None) -> Converted:
    """A /sdapi/v1/img2img payload: init_images, and with `mask` an inpaint."""
    p = _with_infotext(p)
    names: dict[str, str] = {}
    with as_sent(names):
        if not p.init_images:
            raise InvalidInput("init_images", "img2img needs an init image")
        values, common = _common(p, options)
        names.update(common)
        blur = p.mask_blur if p.mask_blur is not None else max(p.mask_blur_x or 0, p.mask_blur_y or 0)
        values |= dict(
            init_images=p.init_images, mask=p.mask or None, denoising_strength=p.denoising_strength,
            resize_mode=vocab.resize_mode(p.resize_mode or 0), mask_blur=blur,
            inpainting_fill=vocab.inpaint_fill(p.inpainting_fill or 0), inpaint_full_res=bool(p.inpaint_full_res),
            inpaint_full_res_padding=p.inpaint_full_res_padding or 0,
            inpainting_mask_invert=bool(p.inpainting_mask_invert),
        )
        names["mask_blur"] = "mask_blur" if p.mask_blur is not None else "mask_blur_x"
        _token_merging(p, options, values, names, img2img=True)
        return Converted(_job(values, model, pool, names), names)


def extras(p: ExtrasOptions, images: list[str], image_fields: list[str], *, model: str | None = None,
           pool: str | None = None) -> Converted:
    """An extras payload (upscale `images`); `image_fields` name each image as sent."""
    names = {f"init_images.{i}": name for i, name in enumerate(image_fields)}
    with as_sent(names):
        if not images:
            raise InvalidInput(image_fields[0] if image_fields else "image", "no image to upscale")
        mode = p.resize_mode or 0
        if mode not in (0, 1):
            raise InvalidInput("resize_mode", "must be 0 (scale by) or 1 (scale to)")
        second = None if p.upscaler_2 in (None, "", "None") else p.upscaler_2
        request = dict(
            upscaler=p.upscaler_1 or "None", upscaler_2=second,
            upscaler_2_visibility=(p.extras_upscaler_2_visibility or 0.0) if second else 0.0,
            scale=p.upscaling_resize if mode == 0 else None,
            width=p.upscaling_resize_w if mode == 1 else None, height=p.upscaling_resize_h if mode == 1 else None,
            crop=bool(p.upscaling_crop),
        )
        values: dict[str, Any] = {"init_images": images, "extras": request}
        faces = _extras_faces(p, names)
        if faces:
            values["face_restore"] = faces
        return Converted(_job(values, model, pool, names), names)


def _extras_faces(p: ExtrasOptions, names: dict[str, str]) -> list[dict[str, Any]]:
    """The extras tab's face passes, after upscaling and in the web UI's order: GFPGAN, then CodeFormer, each
    blended over its input by its visibility. The restorers are the face_restorer models named GFPGAN and
    CodeFormer."""
    out: list[dict[str, Any]] = []
    for restorer, key in (("GFPGAN", "gfpgan_visibility"), ("CodeFormer", "codeformer_visibility")):
        visibility = getattr(p, key) or 0.0
        if not 0 <= visibility <= 1:
            raise InvalidInput(key, f"must be within 0..1 (got {visibility})")
        if visibility == 0:
            continue
        i = len(out)
        names |= {f"face_restore.{i}.restorer": key, f"face_restore.{i}.detector": key,
                  f"face_restore.{i}.visibility": key}
        entry: dict[str, Any] = {"restorer": restorer, "visibility": visibility}
        if restorer == "CodeFormer":
            weight = p.codeformer_weight or 0.0
            if not 0 <= weight <= 1:
                raise InvalidInput("codeformer_weight", f"must be within 0..1 (got {weight})")
            entry["codeformer_weight"] = weight
            names[f"face_restore.{i}.codeformer_weight"] = "codeformer_weight"
        out.append(entry)
    return out


def _job(values: dict[str, Any], model: str | None, pool: str | None, names: dict[str, str]) -> jobs.JobRequest:
    if model:
        values["model"] = model
        names["model"] = "model"
    if pool:
        values["pool"] = pool
        names["pool"] = "endpoint_name"
    return jobs.JobRequest(**values)
