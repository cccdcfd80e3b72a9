from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.inpaint_fill import InpaintFill
from ..models.resize_mode import ResizeMode
from ..models.sampler import Sampler
from ..models.scheduler import Scheduler
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.control_net_request import ControlNetRequest
    from ..models.extras_request import ExtrasRequest
    from ..models.face_restore_request import FaceRestoreRequest
    from ..models.hires_request import HiresRequest
    from ..models.lora_request import LoraRequest
    from ..models.outpaint_request import OutpaintRequest
    from ..models.refiner_request import RefinerRequest
    from ..models.sd_upscale_request import SdUpscaleRequest
    from ..models.sdxl_conditioning import SdxlConditioning


T = TypeVar("T", bound="JobRequest")


@_attrs_define
class JobRequest:
    """A generation job as a client submits it: txt2img, or img2img/inpaint/outpaint with init_images; omitted fields take
    the caller's defaults.

        Attributes:
            batch_size (int | None | Unset):
            callback_url (None | str | Unset): POSTed a signed job.succeeded / job.failed / job.canceled event when the job
                ends (Standard Webhooks; verify with GET /v1/webhooks/callback-secret). https, to a public host.
            cfg_scale (float | None | Unset):
            clip_skip (int | None | Unset):
            controlnets (list[ControlNetRequest] | None | Unset):
            denoising_strength (float | None | Unset):
            eta (float | None | Unset):
            extras (ExtrasRequest | None | Unset): Upscale init_images instead of generating.
            face_restore (list[FaceRestoreRequest] | None | Unset): Face restoration passes, in order, on each output image
                (for extras, after upscaling).
            height (int | None | Unset):
            hires (HiresRequest | None | Unset):
            init_images (list[str] | None | Unset): img2img inputs; with extras, the images to upscale.
            inpaint_full_res (bool | None | Unset): Inpaint only the masked area at full resolution, then paste it back.
                Default: False.
            inpaint_full_res_padding (int | None | Unset):  Default: 32.
            inpainting_fill (InpaintFill | None | Unset):  Default: InpaintFill.ORIGINAL.
            inpainting_mask_invert (bool | None | Unset):  Default: False.
            loras (list[LoraRequest] | None | Unset): LoRAs to apply for this job, by name, title or id; at most 8.
            mask (None | str | Unset): Inpainting mask: white is repainted (unless inpainting_mask_invert).
            mask_blur (int | None | Unset):
            model (None | str | Unset):
            n_iter (int | None | Unset): Batches run one after another; images = batch_size x n_iter.
            negative_prompt (None | str | Unset):
            outpaint (None | OutpaintRequest | Unset):
            pool (None | str | Unset):
            prompt (None | str | Unset): The web UI's prompt syntax: (emphasis:1.2), [less], BREAK, <lora:name:weight>,
                embeddings by name. Default: ''.
            refiner (None | RefinerRequest | Unset):
            resize_mode (None | ResizeMode | Unset):  Default: ResizeMode.JUST_RESIZE.
            s_churn (float | None | Unset): Euler's stochastic churn (k-diffusion `s_churn`); 0 or null: none.
            s_noise (float | None | Unset): The scale of the fresh noise a stochastic sampler adds (k-diffusion `s_noise`);
                null: 1.
            s_tmax (float | None | Unset): The highest sigma churn applies at; 0 or null: no limit, as in the web UI.
            s_tmin (float | None | Unset): The lowest sigma churn applies at; null: 0.
            sampler (None | Sampler | Unset):
            scheduler (None | Scheduler | Unset):
            sd_upscale (None | SdUpscaleRequest | Unset): img2img by tiles (the web UI's SD upscale script): upscale the
                init image, then img2img each width x height tile and blend them.
            sdxl (None | SdxlConditioning | Unset):
            seed (int | None | Unset):
            seed_resize_from_h (int | None | Unset):
            seed_resize_from_w (int | None | Unset):
            steps (int | None | Unset):
            styles (list[str] | None | Unset): Names of the caller's saved styles, added to the prompts.
            subseed (int | None | Unset):
            subseed_strength (float | None | Unset):  Default: 0.0.
            tiling (bool | None | Unset):  Default: False.
            token_merging_ratio (float | None | Unset): Token merging (the web UI's token_merging_ratio): the share of the
                most similar tokens merged before the UNet's self-attention at its highest-resolution attention level, for
                speed; 0: none (the exact image). Default: 0.0.
            vae (None | str | Unset): A vae model by name; omitted: the checkpoint's own.
            width (int | None | Unset):
    """

    batch_size: int | None | Unset = UNSET
    callback_url: None | str | Unset = UNSET
    cfg_scale: float | None | Unset = UNSET
    clip_skip: int | None | Unset = UNSET
    controlnets: list[ControlNetRequest] | None | Unset = UNSET
    denoising_strength: float | None | Unset = UNSET
    eta: float | None | Unset = UNSET
    extras: ExtrasRequest | None | Unset = UNSET
    face_restore: list[FaceRestoreRequest] | None | Unset = UNSET
    height: int | None | Unset = UNSET
    hires: HiresRequest | None | Unset = UNSET
    init_images: list[str] | None | Unset = UNSET
    inpaint_full_res: bool | None | Unset = False
    inpaint_full_res_padding: int | None | Unset = 32
    inpainting_fill: InpaintFill | None | Unset = InpaintFill.ORIGINAL
    inpainting_mask_invert: bool | None | Unset = False
    loras: list[LoraRequest] | None | Unset = UNSET
    mask: None | str | Unset = UNSET
    mask_blur: int | None | Unset = UNSET
    model: None | str | Unset = UNSET
    n_iter: int | None | Unset = UNSET
    negative_prompt: None | str | Unset = UNSET
    outpaint: None | OutpaintRequest | Unset = UNSET
    pool: None | str | Unset = UNSET
    prompt: None | str | Unset = ""
    refiner: None | RefinerRequest | Unset = UNSET
    resize_mode: None | ResizeMode | Unset = ResizeMode.JUST_RESIZE
    s_churn: float | None | Unset = UNSET
    s_noise: float | None | Unset = UNSET
    s_tmax: float | None | Unset = UNSET
    s_tmin: float | None | Unset = UNSET
    sampler: None | Sampler | Unset = UNSET
    scheduler: None | Scheduler | Unset = UNSET
    sd_upscale: None | SdUpscaleRequest | Unset = UNSET
    sdxl: None | SdxlConditioning | Unset = UNSET
    seed: int | None | Unset = UNSET
    seed_resize_from_h: int | None | Unset = UNSET
    seed_resize_from_w: int | None | Unset = UNSET
    steps: int | None | Unset = UNSET
    styles: list[str] | None | Unset = UNSET
    subseed: int | None | Unset = UNSET
    subseed_strength: float | None | Unset = 0.0
    tiling: bool | None | Unset = False
    token_merging_ratio: float | None | Unset = 0.0
    vae: None | str | Unset = UNSET
    width: int | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.extras_request import ExtrasRequest  # noqa: PLC0415
        from ..models.hires_request import HiresRequest  # noqa: PLC0415
        from ..models.outpaint_request import OutpaintRequest  # noqa: PLC0415
        from ..models.refiner_request import RefinerRequest  # noqa: PLC0415
        from ..models.sd_upscale_request import SdUpscaleRequest  # noqa: PLC0415
        from ..models.sdxl_conditioning import SdxlConditioning  # noqa: PLC0415

        batch_size: int | None | Unset
        if isinstance(self.batch_size, Unset):
            batch_size = UNSET
        else:
            batch_size = self.batch_size

        callback_url: None | str | Unset
        if isinstance(self.callback_url, Unset):
            callback_url = UNSET
        else:
            callback_url = self.callback_url

        cfg_scale: float | None | Unset
        if isinstance(self.cfg_scale, Unset):
            cfg_scale = UNSET
        else:
            cfg_scale = self.cfg_scale

        clip_skip: int | None | Unset
        if isinstance(self.clip_skip, Unset):
            clip_skip = UNSET
        else:
            clip_skip = self.clip_skip

        controlnets: list[dict[str, Any]] | None | Unset
        if isinstance(self.controlnets, Unset):
            controlnets = UNSET
        elif isinstance(self.controlnets, list):
            controlnets = []
            for controlnets_type_0_item_data in self.controlnets:
                controlnets_type_0_item = controlnets_type_0_item_data.to_dict()
                controlnets.append(controlnets_type_0_item)

        else:
            controlnets = self.controlnets

        denoising_strength: float | None | Unset
        if isinstance(self.denoising_strength, Unset):
            denoising_strength = UNSET
        else:
            denoising_strength = self.denoising_strength

        eta: float | None | Unset
        if isinstance(self.eta, Unset):
            eta = UNSET
        else:
            eta = self.eta

        extras: dict[str, Any] | None | Unset
        if isinstance(self.extras, Unset):
            extras = UNSET
        elif isinstance(self.extras, ExtrasRequest):
            extras = self.extras.to_dict()
        else:
            extras = self.extras

        face_restore: list[dict[str, Any]] | None | Unset
        if isinstance(self.face_restore, Unset):
            face_restore = UNSET
        elif isinstance(self.face_restore, list):
            face_restore = []
            for face_restore_type_0_item_data in self.face_restore:
                face_restore_type_0_item = face_restore_type_0_item_data.to_dict()
                face_restore.append(face_restore_type_0_item)

        else:
            face_restore = self.face_restore

        height: int | None | Unset
        if isinstance(self.height, Unset):
            height = UNSET
        else:
            height = self.height

        hires: dict[str, Any] | None | Unset
        if isinstance(self.hires, Unset):
            hires = UNSET
        elif isinstance(self.hires, HiresRequest):
            hires = self.hires.to_dict()
        else:
            hires = self.hires

        init_images: list[str] | None | Unset
        if isinstance(self.init_images, Unset):
            init_images = UNSET
        elif isinstance(self.init_images, list):
            init_images = self.init_images

        else:
            init_images = self.init_images

        inpaint_full_res: bool | None | Unset
        if isinstance(self.inpaint_full_res, Unset):
            inpaint_full_res = UNSET
        else:
            inpaint_full_res = self.inpaint_full_res

        inpaint_full_res_padding: int | None | Unset
        if isinstance(self.inpaint_full_res_padding, Unset):
            inpaint_full_res_padding = UNSET
        else:
            inpaint_full_res_padding = self.inpaint_full_res_padding

        inpainting_fill: None | str | Unset
        if isinstance(self.inpainting_fill, Unset):
            inpainting_fill = UNSET
        elif isinstance(self.inpainting_fill, InpaintFill):
            inpainting_fill = self.inpainting_fill.value
        else:
            inpainting_fill = self.inpainting_fill

        inpainting_mask_invert: bool | None | Unset
        if isinstance(self.inpainting_mask_invert, Unset):
            inpainting_mask_invert = UNSET
        else:
            inpainting_mask_invert = self.inpainting_mask_invert

        loras: list[dict[str, Any]] | None | Unset
        if isinstance(self.loras, Unset):
            loras = UNSET
        elif isinstance(self.loras, list):
            loras = []
            for componentsschemas_loras_item_data in self.loras:
                componentsschemas_loras_item = componentsschemas_loras_item_data.to_dict()
                loras.append(componentsschemas_loras_item)

        else:
            loras = self.loras

        mask: None | str | Unset
        if isinstance(self.mask, Unset):
            mask = UNSET
        else:
            mask = self.mask

        mask_blur: int | None | Unset
        if isinstance(self.mask_blur, Unset):
            mask_blur = UNSET
        else:
            mask_blur = self.mask_blur

        model: None | str | Unset
        if isinstance(self.model, Unset):
            model = UNSET
        else:
            model = self.model

        n_iter: int | None | Unset
        if isinstance(self.n_iter, Unset):
            n_iter = UNSET
        else:
            n_iter = self.n_iter

        negative_prompt: None | str | Unset
        if isinstance(self.negative_prompt, Unset):
            negative_prompt = UNSET
        else:
            negative_prompt = self.negative_prompt

        outpaint: dict[str, Any] | None | Unset
        if isinstance(self.outpaint, Unset):
            outpaint = UNSET
        elif isinstance(self.outpaint, OutpaintRequest):
            outpaint = self.outpaint.to_dict()
        else:
            outpaint = self.outpaint

        pool: None | str | Unset
        if isinstance(self.pool, Unset):
            pool = UNSET
        else:
            pool = self.pool

        prompt: None | str | Unset
        if isinstance(self.prompt, Unset):
            prompt = UNSET
        else:
            prompt = self.prompt

        refiner: dict[str, Any] | None | Unset
        if isinstance(self.refiner, Unset):
            refiner = UNSET
        elif isinstance(self.refiner, RefinerRequest):
            refiner = self.refiner.to_dict()
        else:
            refiner = self.refiner

        resize_mode: None | str | Unset
        if isinstance(self.resize_mode, Unset):
            resize_mode = UNSET
        elif isinstance(self.resize_mode, ResizeMode):
            resize_mode = self.resize_mode.value
        else:
            resize_mode = self.resize_mode

        s_churn: float | None | Unset
        if isinstance(self.s_churn, Unset):
            s_churn = UNSET
        else:
            s_churn = self.s_churn

        s_noise: float | None | Unset
        if isinstance(self.s_noise, Unset):
            s_noise = UNSET
        else:
            s_noise = self.s_noise

        s_tmax: float | None | Unset
        if isinstance(self.s_tmax, Unset):
            s_tmax = UNSET
        else:
            s_tmax = self.s_tmax

        s_tmin: float | None | Unset
        if isinstance(self.s_tmin, Unset):
            s_tmin = UNSET
        else:
            s_tmin = self.s_tmin

        sampler: None | str | Unset
        if isinstance(self.sampler, Unset):
            sampler = UNSET
        elif isinstance(self.sampler, Sampler):
            sampler = self.sampler.value
        else:
            sampler = self.sampler

        scheduler: None | str | Unset
        if isinstance(self.scheduler, Unset):
            scheduler = UNSET
        elif isinstance(self.scheduler, Scheduler):
            scheduler = self.scheduler.value
        else:
            scheduler = self.scheduler

        sd_upscale: dict[str, Any] | None | Unset
        if isinstance(self.sd_upscale, Unset):
            sd_upscale = UNSET
        elif isinstance(self.sd_upscale, SdUpscaleRequest):
            sd_upscale = self.sd_upscale.to_dict()
        else:
            sd_upscale = self.sd_upscale

        sdxl: dict[str, Any] | None | Unset
        if isinstance(self.sdxl, Unset):
            sdxl = UNSET
        elif isinstance(self.sdxl, SdxlConditioning):
            sdxl = self.sdxl.to_dict()
        else:
            sdxl = self.sdxl

        seed: int | None | Unset
        if isinstance(self.seed, Unset):
            seed = UNSET
        else:
            seed = self.seed

        seed_resize_from_h: int | None | Unset
        if isinstance(self.seed_resize_from_h, Unset):
            seed_resize_from_h = UNSET
        else:
            seed_resize_from_h = self.seed_resize_from_h

        seed_resize_from_w: int | None | Unset
        if isinstance(self.seed_resize_from_w, Unset):
            seed_resize_from_w = UNSET
        else:
            seed_resize_from_w = self.seed_resize_from_w

        steps: int | None | Unset
        if isinstance(self.steps, Unset):
            steps = UNSET
        else:
            steps = self.steps

        styles: list[str] | None | Unset
        if isinstance(self.styles, Unset):
            styles = UNSET
        elif isinstance(self.styles, list):
            styles = self.styles

        else:
            styles = self.styles

        subseed: int | None | Unset
        if isinstance(self.subseed, Unset):
            subseed = UNSET
        else:
            subseed = self.subseed

        subseed_strength: float | None | Unset
        if isinstance(self.subseed_strength, Unset):
            subseed_strength = UNSET
        else:
            subseed_strength = self.subseed_strength

        tiling: bool | None | Unset
        if isinstance(self.tiling, Unset):
            tiling = UNSET
        else:
            tiling = self.tiling

        token_merging_ratio: float | None | Unset
        if isinstance(self.token_merging_ratio, Unset):
            token_merging_ratio = UNSET
        else:
            token_merging_ratio = self.token_merging_ratio

        vae: None | str | Unset
        if isinstance(self.vae, Unset):
            vae = UNSET
        else:
            vae = self.vae

        width: int | None | Unset
        if isinstance(self.width, Unset):
            width = UNSET
        else:
            width = self.width

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if batch_size is not UNSET:
            field_dict["batch_size"] = batch_size
        if callback_url is not UNSET:
            field_dict["callback_url"] = callback_url
        if cfg_scale is not UNSET:
            field_dict["cfg_scale"] = cfg_scale
        if clip_skip is not UNSET:
            field_dict["clip_skip"] = clip_skip
        if controlnets is not UNSET:
            field_dict["controlnets"] = controlnets
        if denoising_strength is not UNSET:
            field_dict["denoising_strength"] = denoising_strength
        if eta is not UNSET:
            field_dict["eta"] = eta
        if extras is not UNSET:
            field_dict["extras"] = extras
        if face_restore is not UNSET:
            field_dict["face_restore"] = face_restore
        if height is not UNSET:
            field_dict["height"] = height
        if hires is not UNSET:
            field_dict["hires"] = hires
        if init_images is not UNSET:
            field_dict["init_images"] = init_images
        if inpaint_full_res is not UNSET:
            field_dict["inpaint_full_res"] = inpaint_full_res
        if inpaint_full_res_padding is not UNSET:
            field_dict["inpaint_full_res_padding"] = inpaint_full_res_padding
        if inpainting_fill is not UNSET:
            field_dict["inpainting_fill"] = inpainting_fill
        if inpainting_mask_invert is not UNSET:
            field_dict["inpainting_mask_invert"] = inpainting_mask_invert
        if loras is not UNSET:
            field_dict["loras"] = loras
        if mask is not UNSET:
            field_dict["mask"] = mask
        if mask_blur is not UNSET:
            field_dict["mask_blur"] = mask_blur
        if model is not UNSET:
            field_dict["model"] = model
        if n_iter is not UNSET:
            field_dict["n_iter"] = n_iter
        if negative_prompt is not UNSET:
            field_dict["negative_prompt"] = negative_prompt
        if outpaint is not UNSET:
            field_dict["outpaint"] = outpaint
        if pool is not UNSET:
            field_dict["pool"] = pool
        if prompt is not UNSET:
            field_dict["prompt"] = prompt
        if refiner is not UNSET:
            field_dict["refiner"] = refiner
        if resize_mode is not UNSET:
            field_dict["resize_mode"] = resize_mode
        if s_churn is not UNSET:
            field_dict["s_churn"] = s_churn
        if s_noise is not UNSET:
            field_dict["s_noise"] = s_noise
        if s_tmax is not UNSET:
            field_dict["s_tmax"] = s_tmax
        if s_tmin is not UNSET:
            field_dict["s_tmin"] = s_tmin
        if sampler is not UNSET:
            field_dict["sampler"] = sampler
        if scheduler is not UNSET:
            field_dict["scheduler"] = scheduler
        if sd_upscale is not UNSET:
            field_dict["sd_upscale"] = sd_upscale
        if sdxl is not UNSET:
            field_dict["sdxl"] = sdxl
        if seed is not UNSET:
            field_dict["seed"] = seed
        if seed_resize_from_h is not UNSET:
            field_dict["seed_resize_from_h"] = seed_resize_from_h
        if seed_resize_from_w is not UNSET:
            field_dict["seed_resize_from_w"] = seed_resize_from_w
        if steps is not UNSET:
            field_dict["steps"] = steps
        if styles is not UNSET:
            field_dict["styles"] = styles
        if subseed is not UNSET:
            field_dict["subseed"] = subseed
        if subseed_strength is not UNSET:
            field_dict["subseed_strength"] = subseed_strength
        if tiling is not UNSET:
            field_dict["tiling"] = tiling
        if token_merging_ratio is not UNSET:
            field_dict["token_merging_ratio"] = token_merging_ratio
        if vae is not UNSET:
            field_dict["vae"] = vae
        if width is not UNSET:
            field_dict["width"] = width

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.control_net_request import ControlNetRequest  # noqa: PLC0415
        from ..models.extras_request import ExtrasRequest  # noqa: PLC0415
        from ..models.face_restore_request import FaceRestoreRequest  # noqa: PLC0415
        from ..models.hires_request import HiresRequest  # noqa: PLC0415
        from ..models.lora_request import LoraRequest  # noqa: PLC0415
        from ..models.outpaint_request import OutpaintRequest  # noqa: PLC0415
        from ..models.refiner_request import RefinerRequest  # noqa: PLC0415
        from ..models.sd_upscale_request import SdUpscaleRequest  # noqa: PLC0415
        from ..models.sdxl_conditioning import SdxlConditioning  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_batch_size(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        batch_size = _parse_batch_size(d.pop("batch_size", UNSET))

        def _parse_callback_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        callback_url = _parse_callback_url(d.pop("callback_url", UNSET))

        def _parse_cfg_scale(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        cfg_scale = _parse_cfg_scale(d.pop("cfg_scale", UNSET))

        def _parse_clip_skip(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        clip_skip = _parse_clip_skip(d.pop("clip_skip", UNSET))

        def _parse_controlnets(data: object) -> list[ControlNetRequest] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                controlnets_type_0 = []
                _controlnets_type_0 = data
                for controlnets_type_0_item_data in _controlnets_type_0:
                    controlnets_type_0_item = ControlNetRequest.from_dict(controlnets_type_0_item_data)

                    controlnets_type_0.append(controlnets_type_0_item)

                return controlnets_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[ControlNetRequest] | None | Unset, data)

        controlnets = _parse_controlnets(d.pop("controlnets", UNSET))

        def _parse_denoising_strength(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        denoising_strength = _parse_denoising_strength(d.pop("denoising_strength", UNSET))

        def _parse_eta(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        eta = _parse_eta(d.pop("eta", UNSET))

        def _parse_extras(data: object) -> ExtrasRequest | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                extras_type_0 = ExtrasRequest.from_dict(data)

                return extras_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ExtrasRequest | None | Unset, data)

        extras = _parse_extras(d.pop("extras", UNSET))

        def _parse_face_restore(data: object) -> list[FaceRestoreRequest] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                face_restore_type_0 = []
                _face_restore_type_0 = data
                for face_restore_type_0_item_data in _face_restore_type_0:
                    face_restore_type_0_item = FaceRestoreRequest.from_dict(face_restore_type_0_item_data)

                    face_restore_type_0.append(face_restore_type_0_item)

                return face_restore_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[FaceRestoreRequest] | None | Unset, data)

        face_restore = _parse_face_restore(d.pop("face_restore", UNSET))

        def _parse_height(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        height = _parse_height(d.pop("height", UNSET))

        def _parse_hires(data: object) -> HiresRequest | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                hires_type_0 = HiresRequest.from_dict(data)

                return hires_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(HiresRequest | None | Unset, data)

        hires = _parse_hires(d.pop("hires", UNSET))

        def _parse_init_images(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                init_images_type_0 = cast(list[str], data)

                return init_images_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        init_images = _parse_init_images(d.pop("init_images", UNSET))

        def _parse_inpaint_full_res(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        inpaint_full_res = _parse_inpaint_full_res(d.pop("inpaint_full_res", UNSET))

        def _parse_inpaint_full_res_padding(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        inpaint_full_res_padding = _parse_inpaint_full_res_padding(d.pop("inpaint_full_res_padding", UNSET))

        def _parse_inpainting_fill(data: object) -> InpaintFill | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                inpainting_fill_type_0 = InpaintFill(data)

                return inpainting_fill_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(InpaintFill | None | Unset, data)

        inpainting_fill = _parse_inpainting_fill(d.pop("inpainting_fill", UNSET))

        def _parse_inpainting_mask_invert(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        inpainting_mask_invert = _parse_inpainting_mask_invert(d.pop("inpainting_mask_invert", UNSET))

        def _parse_loras(data: object) -> list[LoraRequest] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                loras_type_0 = []
                _loras_type_0 = data
                for componentsschemas_loras_item_data in _loras_type_0:
                    componentsschemas_loras_item = LoraRequest.from_dict(componentsschemas_loras_item_data)

                    loras_type_0.append(componentsschemas_loras_item)

                return loras_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[LoraRequest] | None | Unset, data)

        loras = _parse_loras(d.pop("loras", UNSET))

        def _parse_mask(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        mask = _parse_mask(d.pop("mask", UNSET))

        def _parse_mask_blur(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        mask_blur = _parse_mask_blur(d.pop("mask_blur", UNSET))

        def _parse_model(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        model = _parse_model(d.pop("model", UNSET))

        def _parse_n_iter(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        n_iter = _parse_n_iter(d.pop("n_iter", UNSET))

        def _parse_negative_prompt(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        negative_prompt = _parse_negative_prompt(d.pop("negative_prompt", UNSET))

        def _parse_outpaint(data: object) -> None | OutpaintRequest | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                outpaint_type_0 = OutpaintRequest.from_dict(data)

                return outpaint_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | OutpaintRequest | Unset, data)

        outpaint = _parse_outpaint(d.pop("outpaint", UNSET))

        def _parse_pool(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        pool = _parse_pool(d.pop("pool", UNSET))

        def _parse_prompt(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        prompt = _parse_prompt(d.pop("prompt", UNSET))

        def _parse_refiner(data: object) -> None | RefinerRequest | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                refiner_type_0 = RefinerRequest.from_dict(data)

                return refiner_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | RefinerRequest | Unset, data)

        refiner = _parse_refiner(d.pop("refiner", UNSET))

        def _parse_resize_mode(data: object) -> None | ResizeMode | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                resize_mode_type_0 = ResizeMode(data)

                return resize_mode_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | ResizeMode | Unset, data)

        resize_mode = _parse_resize_mode(d.pop("resize_mode", UNSET))

        def _parse_s_churn(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        s_churn = _parse_s_churn(d.pop("s_churn", UNSET))

        def _parse_s_noise(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        s_noise = _parse_s_noise(d.pop("s_noise", UNSET))

        def _parse_s_tmax(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        s_tmax = _parse_s_tmax(d.pop("s_tmax", UNSET))

        def _parse_s_tmin(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        s_tmin = _parse_s_tmin(d.pop("s_tmin", UNSET))

        def _parse_sampler(data: object) -> None | Sampler | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                sampler_type_0 = Sampler(data)

                return sampler_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Sampler | Unset, data)

        sampler = _parse_sampler(d.pop("sampler", UNSET))

        def _parse_scheduler(data: object) -> None | Scheduler | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                scheduler_type_0 = Scheduler(data)

                return scheduler_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Scheduler | Unset, data)

        scheduler = _parse_scheduler(d.pop("scheduler", UNSET))

        def _parse_sd_upscale(data: object) -> None | SdUpscaleRequest | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                sd_upscale_type_0 = SdUpscaleRequest.from_dict(data)

                return sd_upscale_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | SdUpscaleRequest | Unset, data)

        sd_upscale = _parse_sd_upscale(d.pop("sd_upscale", UNSET))

        def _parse_sdxl(data: object) -> None | SdxlConditioning | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                sdxl_type_0 = SdxlConditioning.from_dict(data)

                return sdxl_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | SdxlConditioning | Unset, data)

        sdxl = _parse_sdxl(d.pop("sdxl", UNSET))

        def _parse_seed(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        seed = _parse_seed(d.pop("seed", UNSET))

        def _parse_seed_resize_from_h(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        seed_resize_from_h = _parse_seed_resize_from_h(d.pop("seed_resize_from_h", UNSET))

        def _parse_seed_resize_from_w(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        seed_resize_from_w = _parse_seed_resize_from_w(d.pop("seed_resize_from_w", UNSET))

        def _parse_steps(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        steps = _parse_steps(d.pop("steps", UNSET))

        def _parse_styles(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                styles_type_0 = cast(list[str], data)

                return styles_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        styles = _parse_styles(d.pop("styles", UNSET))

        def _parse_subseed(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        subseed = _parse_subseed(d.pop("subseed", UNSET))

        def _parse_subseed_strength(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        subseed_strength = _parse_subseed_strength(d.pop("subseed_strength", UNSET))

        def _parse_tiling(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        tiling = _parse_tiling(d.pop("tiling", UNSET))

        def _parse_token_merging_ratio(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        token_merging_ratio = _parse_token_merging_ratio(d.pop("token_merging_ratio", UNSET))

        def _parse_vae(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        vae = _parse_vae(d.pop("vae", UNSET))

        def _parse_width(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        width = _parse_width(d.pop("width", UNSET))

        job_request = cls(
            batch_size=batch_size,
            callback_url=callback_url,
            cfg_scale=cfg_scale,
            clip_skip=clip_skip,
            controlnets=controlnets,
            denoising_strength=denoising_strength,
            eta=eta,
            extras=extras,
            face_restore=face_restore,
            height=height,
            hires=hires,
            init_images=init_images,
            inpaint_full_res=inpaint_full_res,
            inpaint_full_res_padding=inpaint_full_res_padding,
            inpainting_fill=inpainting_fill,
            inpainting_mask_invert=inpainting_mask_invert,
            loras=loras,
            mask=mask,
            mask_blur=mask_blur,
            model=model,
            n_iter=n_iter,
            negative_prompt=negative_prompt,
            outpaint=outpaint,
            pool=pool,
            prompt=prompt,
            refiner=refiner,
            resize_mode=resize_mode,
            s_churn=s_churn,
            s_noise=s_noise,
            s_tmax=s_tmax,
            s_tmin=s_tmin,
            sampler=sampler,
            scheduler=scheduler,
            sd_upscale=sd_upscale,
            sdxl=sdxl,
            seed=seed,
            seed_resize_from_h=seed_resize_from_h,
            seed_resize_from_w=seed_resize_from_w,
            steps=steps,
            styles=styles,
            subseed=subseed,
            subseed_strength=subseed_strength,
            tiling=tiling,
            token_merging_ratio=token_merging_ratio,
            vae=vae,
            width=width,
        )

        return job_request
