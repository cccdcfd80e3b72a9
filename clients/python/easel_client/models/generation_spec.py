from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.generation_spec_task_type_0 import GenerationSpecTaskType0
from ..models.inpaint_fill import InpaintFill
from ..models.resize_mode import ResizeMode
from ..models.sampler import Sampler
from ..models.scheduler import Scheduler
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.control_net_spec import ControlNetSpec
    from ..models.embedding_spec import EmbeddingSpec
    from ..models.extras_spec import ExtrasSpec
    from ..models.face_restore_spec import FaceRestoreSpec
    from ..models.hires_spec import HiresSpec
    from ..models.hypernetwork_spec import HypernetworkSpec
    from ..models.input_image import InputImage
    from ..models.interrogate_spec import InterrogateSpec
    from ..models.lora_spec import LoraSpec
    from ..models.merge_spec import MergeSpec
    from ..models.model_info import ModelInfo
    from ..models.outpaint_request import OutpaintRequest
    from ..models.refiner_spec import RefinerSpec
    from ..models.sd_upscale_spec import SdUpscaleSpec
    from ..models.sdxl_conditioning import SdxlConditioning


T = TypeVar("T", bound="GenerationSpec")


@_attrs_define
class GenerationSpec:
    """A fully resolved generation: what a worker runs, nothing left to defaults.

    Attributes:
        cfg_scale (float):
        height (int):
        model (ModelInfo): What a worker needs to load a model.
        prompt (str):
        sampler (Sampler):
        seeds (list[int]): One seed per image.
        steps (int):
        width (int): Output width (after hires fix: its first pass's).
        batch_size (int | None | Unset): Images per denoising call; seeds run in chunks of this size (null: all at
            once).
        clip_skip (int | None | Unset):  Default: 1.
        controlnets (list[ControlNetSpec] | None | Unset):
        denoising_strength (float | None | Unset):  Default: 0.75.
        embeddings (list[EmbeddingSpec] | None | Unset):
        eta (float | None | Unset):
        extras (ExtrasSpec | None | Unset):
        face_restore (list[FaceRestoreSpec] | None | Unset):
        hires (HiresSpec | None | Unset):
        hypernetworks (list[HypernetworkSpec] | None | Unset): Resolved hypernetworks (the web UI's
            <hypernet:name:weight>), chained in order on the UNet's attention key and value inputs for this job only.
        init_images (list[InputImage] | None | Unset):
        inpaint_full_res (bool | None | Unset):  Default: False.
        inpaint_full_res_padding (int | None | Unset):  Default: 32.
        inpainting_fill (InpaintFill | None | Unset):  Default: InpaintFill.ORIGINAL.
        inpainting_mask_invert (bool | None | Unset):  Default: False.
        interrogate (InterrogateSpec | None | Unset):
        loras (list[LoraSpec] | None | Unset): Resolved LoRAs, applied in order on top of the model for this job only.
        mask (InputImage | None | Unset):
        mask_blur (int | None | Unset):  Default: 4.
        merge (MergeSpec | None | Unset):
        negative_prompt (None | str | Unset):  Default: ''.
        outpaint (None | OutpaintRequest | Unset):
        refiner (None | RefinerSpec | Unset):
        resize_mode (None | ResizeMode | Unset):  Default: ResizeMode.JUST_RESIZE.
        s_churn (float | None | Unset): Euler's stochastic churn (k-diffusion `s_churn`); 0 or null: none.
        s_noise (float | None | Unset): The scale of the fresh noise a stochastic sampler adds (k-diffusion `s_noise`);
            null: 1.
        s_tmax (float | None | Unset): The highest sigma churn applies at; 0 or null: no limit, as in the web UI.
        s_tmin (float | None | Unset): The lowest sigma churn applies at; null: 0.
        scheduler (None | Scheduler | Unset):  Default: Scheduler.AUTOMATIC.
        sd_upscale (None | SdUpscaleSpec | Unset): The web UI's SD upscale script (img2img): the init image upscaled,
            img2img'd in tiles of width x height, blended back; one image per seed.
        sdxl (None | SdxlConditioning | Unset):
        seed_resize_from_h (int | None | Unset):
        seed_resize_from_w (int | None | Unset):
        subseed_strength (float | None | Unset):  Default: 0.0.
        subseeds (list[int] | None | Unset): Variation seed per image (empty: none).
        task (GenerationSpecTaskType0 | None | Unset): img2img covers inpaint (mask) and outpaint; extras upscales
            init_images; detect returns each ControlNet unit's preprocessed map (one image per unit); interrogate describes
            init_images[0] in words with the interrogator model `model` (a text, no image).; merge merges checkpoints
            (`model` is the primary, `merge` says the rest) into a new checkpoint of the owner's, registered as their
            private model (no image). Default: GenerationSpecTaskType0.TXT2IMG.
        tiling (bool | None | Unset):  Default: False.
        token_merging_ratio (float | None | Unset): Token merging (the web UI's token_merging_ratio): the share of the
            most similar tokens merged before the UNet's self-attention at its highest-resolution attention level, for
            speed; 0: none (the exact image). Default: 0.0.
        vae (ModelInfo | None | Unset):
    """

    cfg_scale: float
    height: int
    model: ModelInfo
    prompt: str
    sampler: Sampler
    seeds: list[int]
    steps: int
    width: int
    batch_size: int | None | Unset = UNSET
    clip_skip: int | None | Unset = 1
    controlnets: list[ControlNetSpec] | None | Unset = UNSET
    denoising_strength: float | None | Unset = 0.75
    embeddings: list[EmbeddingSpec] | None | Unset = UNSET
    eta: float | None | Unset = UNSET
    extras: ExtrasSpec | None | Unset = UNSET
    face_restore: list[FaceRestoreSpec] | None | Unset = UNSET
    hires: HiresSpec | None | Unset = UNSET
    hypernetworks: list[HypernetworkSpec] | None | Unset = UNSET
    init_images: list[InputImage] | None | Unset = UNSET
    inpaint_full_res: bool | None | Unset = False
    inpaint_full_res_padding: int | None | Unset = 32
    inpainting_fill: InpaintFill | None | Unset = InpaintFill.ORIGINAL
    inpainting_mask_invert: bool | None | Unset = False
    interrogate: InterrogateSpec | None | Unset = UNSET
    loras: list[LoraSpec] | None | Unset = UNSET
    mask: InputImage | None | Unset = UNSET
    mask_blur: int | None | Unset = 4
    merge: MergeSpec | None | Unset = UNSET
    negative_prompt: None | str | Unset = ""
    outpaint: None | OutpaintRequest | Unset = UNSET
    refiner: None | RefinerSpec | Unset = UNSET
    resize_mode: None | ResizeMode | Unset = ResizeMode.JUST_RESIZE
    s_churn: float | None | Unset = UNSET
    s_noise: float | None | Unset = UNSET
    s_tmax: float | None | Unset = UNSET
    s_tmin: float | None | Unset = UNSET
    scheduler: None | Scheduler | Unset = Scheduler.AUTOMATIC
    sd_upscale: None | SdUpscaleSpec | Unset = UNSET
    sdxl: None | SdxlConditioning | Unset = UNSET
    seed_resize_from_h: int | None | Unset = UNSET
    seed_resize_from_w: int | None | Unset = UNSET
    subseed_strength: float | None | Unset = 0.0
    subseeds: list[int] | None | Unset = UNSET
    task: GenerationSpecTaskType0 | None | Unset = GenerationSpecTaskType0.TXT2IMG
    tiling: bool | None | Unset = False
    token_merging_ratio: float | None | Unset = 0.0
    vae: ModelInfo | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.extras_spec import ExtrasSpec  # noqa: PLC0415
        from ..models.hires_spec import HiresSpec  # noqa: PLC0415
        from ..models.input_image import InputImage  # noqa: PLC0415
        from ..models.interrogate_spec import InterrogateSpec  # noqa: PLC0415
        from ..models.merge_spec import MergeSpec  # noqa: PLC0415
        from ..models.model_info import ModelInfo  # noqa: PLC0415
        from ..models.outpaint_request import OutpaintRequest  # noqa: PLC0415
        from ..models.refiner_spec import RefinerSpec  # noqa: PLC0415
        from ..models.sd_upscale_spec import SdUpscaleSpec  # noqa: PLC0415
        from ..models.sdxl_conditioning import SdxlConditioning  # noqa: PLC0415

        cfg_scale = self.cfg_scale

        height = self.height

        model = self.model.to_dict()

        prompt = self.prompt

        sampler = self.sampler.value

        seeds = self.seeds

        steps = self.steps

        width = self.width

        batch_size: int | None | Unset
        if isinstance(self.batch_size, Unset):
            batch_size = UNSET
        else:
            batch_size = self.batch_size

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

        embeddings: list[dict[str, Any]] | None | Unset
        if isinstance(self.embeddings, Unset):
            embeddings = UNSET
        elif isinstance(self.embeddings, list):
            embeddings = []
            for embeddings_type_0_item_data in self.embeddings:
                embeddings_type_0_item = embeddings_type_0_item_data.to_dict()
                embeddings.append(embeddings_type_0_item)

        else:
            embeddings = self.embeddings

        eta: float | None | Unset
        if isinstance(self.eta, Unset):
            eta = UNSET
        else:
            eta = self.eta

        extras: dict[str, Any] | None | Unset
        if isinstance(self.extras, Unset):
            extras = UNSET
        elif isinstance(self.extras, ExtrasSpec):
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

        hires: dict[str, Any] | None | Unset
        if isinstance(self.hires, Unset):
            hires = UNSET
        elif isinstance(self.hires, HiresSpec):
            hires = self.hires.to_dict()
        else:
            hires = self.hires

        hypernetworks: list[dict[str, Any]] | None | Unset
        if isinstance(self.hypernetworks, Unset):
            hypernetworks = UNSET
        elif isinstance(self.hypernetworks, list):
            hypernetworks = []
            for hypernetworks_type_0_item_data in self.hypernetworks:
                hypernetworks_type_0_item = hypernetworks_type_0_item_data.to_dict()
                hypernetworks.append(hypernetworks_type_0_item)

        else:
            hypernetworks = self.hypernetworks

        init_images: list[dict[str, Any]] | None | Unset
        if isinstance(self.init_images, Unset):
            init_images = UNSET
        elif isinstance(self.init_images, list):
            init_images = []
            for init_images_type_0_item_data in self.init_images:
                init_images_type_0_item = init_images_type_0_item_data.to_dict()
                init_images.append(init_images_type_0_item)

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

        interrogate: dict[str, Any] | None | Unset
        if isinstance(self.interrogate, Unset):
            interrogate = UNSET
        elif isinstance(self.interrogate, InterrogateSpec):
            interrogate = self.interrogate.to_dict()
        else:
            interrogate = self.interrogate

        loras: list[dict[str, Any]] | None | Unset
        if isinstance(self.loras, Unset):
            loras = UNSET
        elif isinstance(self.loras, list):
            loras = []
            for loras_type_0_item_data in self.loras:
                loras_type_0_item = loras_type_0_item_data.to_dict()
                loras.append(loras_type_0_item)

        else:
            loras = self.loras

        mask: dict[str, Any] | None | Unset
        if isinstance(self.mask, Unset):
            mask = UNSET
        elif isinstance(self.mask, InputImage):
            mask = self.mask.to_dict()
        else:
            mask = self.mask

        mask_blur: int | None | Unset
        if isinstance(self.mask_blur, Unset):
            mask_blur = UNSET
        else:
            mask_blur = self.mask_blur

        merge: dict[str, Any] | None | Unset
        if isinstance(self.merge, Unset):
            merge = UNSET
        elif isinstance(self.merge, MergeSpec):
            merge = self.merge.to_dict()
        else:
            merge = self.merge

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

        refiner: dict[str, Any] | None | Unset
        if isinstance(self.refiner, Unset):
            refiner = UNSET
        elif isinstance(self.refiner, RefinerSpec):
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
        elif isinstance(self.sd_upscale, SdUpscaleSpec):
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

        subseed_strength: float | None | Unset
        if isinstance(self.subseed_strength, Unset):
            subseed_strength = UNSET
        else:
            subseed_strength = self.subseed_strength

        subseeds: list[int] | None | Unset
        if isinstance(self.subseeds, Unset):
            subseeds = UNSET
        elif isinstance(self.subseeds, list):
            subseeds = self.subseeds

        else:
            subseeds = self.subseeds

        task: None | str | Unset
        if isinstance(self.task, Unset):
            task = UNSET
        elif isinstance(self.task, GenerationSpecTaskType0):
            task = self.task.value
        else:
            task = self.task

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

        vae: dict[str, Any] | None | Unset
        if isinstance(self.vae, Unset):
            vae = UNSET
        elif isinstance(self.vae, ModelInfo):
            vae = self.vae.to_dict()
        else:
            vae = self.vae

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "cfg_scale": cfg_scale,
                "height": height,
                "model": model,
                "prompt": prompt,
                "sampler": sampler,
                "seeds": seeds,
                "steps": steps,
                "width": width,
            }
        )
        if batch_size is not UNSET:
            field_dict["batch_size"] = batch_size
        if clip_skip is not UNSET:
            field_dict["clip_skip"] = clip_skip
        if controlnets is not UNSET:
            field_dict["controlnets"] = controlnets
        if denoising_strength is not UNSET:
            field_dict["denoising_strength"] = denoising_strength
        if embeddings is not UNSET:
            field_dict["embeddings"] = embeddings
        if eta is not UNSET:
            field_dict["eta"] = eta
        if extras is not UNSET:
            field_dict["extras"] = extras
        if face_restore is not UNSET:
            field_dict["face_restore"] = face_restore
        if hires is not UNSET:
            field_dict["hires"] = hires
        if hypernetworks is not UNSET:
            field_dict["hypernetworks"] = hypernetworks
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
        if interrogate is not UNSET:
            field_dict["interrogate"] = interrogate
        if loras is not UNSET:
            field_dict["loras"] = loras
        if mask is not UNSET:
            field_dict["mask"] = mask
        if mask_blur is not UNSET:
            field_dict["mask_blur"] = mask_blur
        if merge is not UNSET:
            field_dict["merge"] = merge
        if negative_prompt is not UNSET:
            field_dict["negative_prompt"] = negative_prompt
        if outpaint is not UNSET:
            field_dict["outpaint"] = outpaint
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
        if scheduler is not UNSET:
            field_dict["scheduler"] = scheduler
        if sd_upscale is not UNSET:
            field_dict["sd_upscale"] = sd_upscale
        if sdxl is not UNSET:
            field_dict["sdxl"] = sdxl
        if seed_resize_from_h is not UNSET:
            field_dict["seed_resize_from_h"] = seed_resize_from_h
        if seed_resize_from_w is not UNSET:
            field_dict["seed_resize_from_w"] = seed_resize_from_w
        if subseed_strength is not UNSET:
            field_dict["subseed_strength"] = subseed_strength
        if subseeds is not UNSET:
            field_dict["subseeds"] = subseeds
        if task is not UNSET:
            field_dict["task"] = task
        if tiling is not UNSET:
            field_dict["tiling"] = tiling
        if token_merging_ratio is not UNSET:
            field_dict["token_merging_ratio"] = token_merging_ratio
        if vae is not UNSET:
            field_dict["vae"] = vae

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.control_net_spec import ControlNetSpec  # noqa: PLC0415
        from ..models.embedding_spec import EmbeddingSpec  # noqa: PLC0415
        from ..models.extras_spec import ExtrasSpec  # noqa: PLC0415
        from ..models.face_restore_spec import FaceRestoreSpec  # noqa: PLC0415
        from ..models.hires_spec import HiresSpec  # noqa: PLC0415
        from ..models.hypernetwork_spec import HypernetworkSpec  # noqa: PLC0415
        from ..models.input_image import InputImage  # noqa: PLC0415
        from ..models.interrogate_spec import InterrogateSpec  # noqa: PLC0415
        from ..models.lora_spec import LoraSpec  # noqa: PLC0415
        from ..models.merge_spec import MergeSpec  # noqa: PLC0415
        from ..models.model_info import ModelInfo  # noqa: PLC0415
        from ..models.outpaint_request import OutpaintRequest  # noqa: PLC0415
        from ..models.refiner_spec import RefinerSpec  # noqa: PLC0415
        from ..models.sd_upscale_spec import SdUpscaleSpec  # noqa: PLC0415
        from ..models.sdxl_conditioning import SdxlConditioning  # noqa: PLC0415

        d = dict(src_dict)
        cfg_scale = d.pop("cfg_scale")

        height = d.pop("height")

        model = ModelInfo.from_dict(d.pop("model"))

        prompt = d.pop("prompt")

        sampler = Sampler(d.pop("sampler"))

        seeds = cast(list[int], d.pop("seeds"))

        steps = d.pop("steps")

        width = d.pop("width")

        def _parse_batch_size(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        batch_size = _parse_batch_size(d.pop("batch_size", UNSET))

        def _parse_clip_skip(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        clip_skip = _parse_clip_skip(d.pop("clip_skip", UNSET))

        def _parse_controlnets(data: object) -> list[ControlNetSpec] | None | Unset:
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
                    controlnets_type_0_item = ControlNetSpec.from_dict(controlnets_type_0_item_data)

                    controlnets_type_0.append(controlnets_type_0_item)

                return controlnets_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[ControlNetSpec] | None | Unset, data)

        controlnets = _parse_controlnets(d.pop("controlnets", UNSET))

        def _parse_denoising_strength(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        denoising_strength = _parse_denoising_strength(d.pop("denoising_strength", UNSET))

        def _parse_embeddings(data: object) -> list[EmbeddingSpec] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                embeddings_type_0 = []
                _embeddings_type_0 = data
                for embeddings_type_0_item_data in _embeddings_type_0:
                    embeddings_type_0_item = EmbeddingSpec.from_dict(embeddings_type_0_item_data)

                    embeddings_type_0.append(embeddings_type_0_item)

                return embeddings_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[EmbeddingSpec] | None | Unset, data)

        embeddings = _parse_embeddings(d.pop("embeddings", UNSET))

        def _parse_eta(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        eta = _parse_eta(d.pop("eta", UNSET))

        def _parse_extras(data: object) -> ExtrasSpec | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                extras_type_0 = ExtrasSpec.from_dict(data)

                return extras_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ExtrasSpec | None | Unset, data)

        extras = _parse_extras(d.pop("extras", UNSET))

        def _parse_face_restore(data: object) -> list[FaceRestoreSpec] | None | Unset:
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
                    face_restore_type_0_item = FaceRestoreSpec.from_dict(face_restore_type_0_item_data)

                    face_restore_type_0.append(face_restore_type_0_item)

                return face_restore_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[FaceRestoreSpec] | None | Unset, data)

        face_restore = _parse_face_restore(d.pop("face_restore", UNSET))

        def _parse_hires(data: object) -> HiresSpec | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                hires_type_0 = HiresSpec.from_dict(data)

                return hires_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(HiresSpec | None | Unset, data)

        hires = _parse_hires(d.pop("hires", UNSET))

        def _parse_hypernetworks(data: object) -> list[HypernetworkSpec] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                hypernetworks_type_0 = []
                _hypernetworks_type_0 = data
                for hypernetworks_type_0_item_data in _hypernetworks_type_0:
                    hypernetworks_type_0_item = HypernetworkSpec.from_dict(hypernetworks_type_0_item_data)

                    hypernetworks_type_0.append(hypernetworks_type_0_item)

                return hypernetworks_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[HypernetworkSpec] | None | Unset, data)

        hypernetworks = _parse_hypernetworks(d.pop("hypernetworks", UNSET))

        def _parse_init_images(data: object) -> list[InputImage] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                init_images_type_0 = []
                _init_images_type_0 = data
                for init_images_type_0_item_data in _init_images_type_0:
                    init_images_type_0_item = InputImage.from_dict(init_images_type_0_item_data)

                    init_images_type_0.append(init_images_type_0_item)

                return init_images_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[InputImage] | None | Unset, data)

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

        def _parse_interrogate(data: object) -> InterrogateSpec | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                interrogate_type_0 = InterrogateSpec.from_dict(data)

                return interrogate_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(InterrogateSpec | None | Unset, data)

        interrogate = _parse_interrogate(d.pop("interrogate", UNSET))

        def _parse_loras(data: object) -> list[LoraSpec] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                loras_type_0 = []
                _loras_type_0 = data
                for loras_type_0_item_data in _loras_type_0:
                    loras_type_0_item = LoraSpec.from_dict(loras_type_0_item_data)

                    loras_type_0.append(loras_type_0_item)

                return loras_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[LoraSpec] | None | Unset, data)

        loras = _parse_loras(d.pop("loras", UNSET))

        def _parse_mask(data: object) -> InputImage | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                mask_type_0 = InputImage.from_dict(data)

                return mask_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(InputImage | None | Unset, data)

        mask = _parse_mask(d.pop("mask", UNSET))

        def _parse_mask_blur(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        mask_blur = _parse_mask_blur(d.pop("mask_blur", UNSET))

        def _parse_merge(data: object) -> MergeSpec | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                merge_type_0 = MergeSpec.from_dict(data)

                return merge_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(MergeSpec | None | Unset, data)

        merge = _parse_merge(d.pop("merge", UNSET))

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

        def _parse_refiner(data: object) -> None | RefinerSpec | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                refiner_type_0 = RefinerSpec.from_dict(data)

                return refiner_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | RefinerSpec | Unset, data)

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

        def _parse_sd_upscale(data: object) -> None | SdUpscaleSpec | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                sd_upscale_type_0 = SdUpscaleSpec.from_dict(data)

                return sd_upscale_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | SdUpscaleSpec | Unset, data)

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

        def _parse_subseed_strength(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        subseed_strength = _parse_subseed_strength(d.pop("subseed_strength", UNSET))

        def _parse_subseeds(data: object) -> list[int] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                subseeds_type_0 = cast(list[int], data)

                return subseeds_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[int] | None | Unset, data)

        subseeds = _parse_subseeds(d.pop("subseeds", UNSET))

        def _parse_task(data: object) -> GenerationSpecTaskType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                task_type_0 = GenerationSpecTaskType0(data)

                return task_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(GenerationSpecTaskType0 | None | Unset, data)

        task = _parse_task(d.pop("task", UNSET))

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

        def _parse_vae(data: object) -> ModelInfo | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                vae_type_0 = ModelInfo.from_dict(data)

                return vae_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ModelInfo | None | Unset, data)

        vae = _parse_vae(d.pop("vae", UNSET))

        generation_spec = cls(
            cfg_scale=cfg_scale,
            height=height,
            model=model,
            prompt=prompt,
            sampler=sampler,
            seeds=seeds,
            steps=steps,
            width=width,
            batch_size=batch_size,
            clip_skip=clip_skip,
            controlnets=controlnets,
            denoising_strength=denoising_strength,
            embeddings=embeddings,
            eta=eta,
            extras=extras,
            face_restore=face_restore,
            hires=hires,
            hypernetworks=hypernetworks,
            init_images=init_images,
            inpaint_full_res=inpaint_full_res,
            inpaint_full_res_padding=inpaint_full_res_padding,
            inpainting_fill=inpainting_fill,
            inpainting_mask_invert=inpainting_mask_invert,
            interrogate=interrogate,
            loras=loras,
            mask=mask,
            mask_blur=mask_blur,
            merge=merge,
            negative_prompt=negative_prompt,
            outpaint=outpaint,
            refiner=refiner,
            resize_mode=resize_mode,
            s_churn=s_churn,
            s_noise=s_noise,
            s_tmax=s_tmax,
            s_tmin=s_tmin,
            scheduler=scheduler,
            sd_upscale=sd_upscale,
            sdxl=sdxl,
            seed_resize_from_h=seed_resize_from_h,
            seed_resize_from_w=seed_resize_from_w,
            subseed_strength=subseed_strength,
            subseeds=subseeds,
            task=task,
            tiling=tiling,
            token_merging_ratio=token_merging_ratio,
            vae=vae,
        )

        generation_spec.additional_properties = d
        return generation_spec

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
