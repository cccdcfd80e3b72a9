from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.img_2_img_alwayson_scripts_type_0 import Img2ImgAlwaysonScriptsType0
    from ..models.img_2_img_comments_type_0 import Img2ImgCommentsType0
    from ..models.img_2_img_override_settings_type_0 import Img2ImgOverrideSettingsType0


T = TypeVar("T", bound="Img2Img")


@_attrs_define
class Img2Img:
    """
    Attributes:
        alwayson_scripts (Img2ImgAlwaysonScriptsType0 | None | Unset):
        batch_size (int | None | Unset):
        cfg_scale (float | None | Unset):
        comments (Img2ImgCommentsType0 | None | Unset):
        denoising_strength (float | None | Unset):
        disable_extra_networks (bool | None | Unset):  Default: False.
        do_not_save_grid (bool | None | Unset):  Default: False.
        do_not_save_samples (bool | None | Unset):  Default: False.
        eta (float | None | Unset):
        firstpass_image (None | str | Unset):
        force_task_id (None | str | Unset):
        height (int | None | Unset):
        image_cfg_scale (float | None | Unset):
        include_init_images (bool | None | Unset):  Default: False.
        infotext (None | str | Unset):
        init_images (list[str] | None | Unset):
        initial_noise_multiplier (float | None | Unset):
        inpaint_full_res (bool | None | Unset):  Default: True.
        inpaint_full_res_padding (int | None | Unset):  Default: 0.
        inpainting_fill (int | None | Unset):  Default: 0.
        inpainting_mask_invert (int | None | Unset):  Default: 0.
        latent_mask (None | str | Unset):
        mask (None | str | Unset):
        mask_blur (int | None | Unset):
        mask_blur_x (int | None | Unset):  Default: 4.
        mask_blur_y (int | None | Unset):  Default: 4.
        mask_round (bool | None | Unset):  Default: True.
        n_iter (int | None | Unset):
        negative_prompt (None | str | Unset):
        override_settings (Img2ImgOverrideSettingsType0 | None | Unset):
        override_settings_restore_afterwards (bool | None | Unset):  Default: True.
        prompt (None | str | Unset):  Default: ''.
        refiner_checkpoint (None | str | Unset):
        refiner_switch_at (float | None | Unset):
        resize_mode (int | None | Unset):  Default: 0.
        restore_faces (bool | None | Unset):
        s_churn (float | None | Unset):
        s_min_uncond (float | None | Unset):
        s_noise (float | None | Unset):
        s_tmax (float | None | Unset):
        s_tmin (float | None | Unset):
        sampler_index (None | str | Unset):
        sampler_name (None | str | Unset):
        save_images (bool | None | Unset):  Default: False.
        scheduler (None | str | Unset):
        script_args (list[Any] | None | Unset):
        script_name (None | str | Unset):
        seed (int | None | Unset):  Default: -1.
        seed_resize_from_h (int | None | Unset):  Default: -1.
        seed_resize_from_w (int | None | Unset):  Default: -1.
        send_images (bool | None | Unset):  Default: True.
        steps (int | None | Unset):
        styles (list[str] | None | Unset):
        subseed (int | None | Unset):  Default: -1.
        subseed_strength (float | None | Unset):  Default: 0.0.
        tiling (bool | None | Unset):
        width (int | None | Unset):
    """

    alwayson_scripts: Img2ImgAlwaysonScriptsType0 | None | Unset = UNSET
    batch_size: int | None | Unset = UNSET
    cfg_scale: float | None | Unset = UNSET
    comments: Img2ImgCommentsType0 | None | Unset = UNSET
    denoising_strength: float | None | Unset = UNSET
    disable_extra_networks: bool | None | Unset = False
    do_not_save_grid: bool | None | Unset = False
    do_not_save_samples: bool | None | Unset = False
    eta: float | None | Unset = UNSET
    firstpass_image: None | str | Unset = UNSET
    force_task_id: None | str | Unset = UNSET
    height: int | None | Unset = UNSET
    image_cfg_scale: float | None | Unset = UNSET
    include_init_images: bool | None | Unset = False
    infotext: None | str | Unset = UNSET
    init_images: list[str] | None | Unset = UNSET
    initial_noise_multiplier: float | None | Unset = UNSET
    inpaint_full_res: bool | None | Unset = True
    inpaint_full_res_padding: int | None | Unset = 0
    inpainting_fill: int | None | Unset = 0
    inpainting_mask_invert: int | None | Unset = 0
    latent_mask: None | str | Unset = UNSET
    mask: None | str | Unset = UNSET
    mask_blur: int | None | Unset = UNSET
    mask_blur_x: int | None | Unset = 4
    mask_blur_y: int | None | Unset = 4
    mask_round: bool | None | Unset = True
    n_iter: int | None | Unset = UNSET
    negative_prompt: None | str | Unset = UNSET
    override_settings: Img2ImgOverrideSettingsType0 | None | Unset = UNSET
    override_settings_restore_afterwards: bool | None | Unset = True
    prompt: None | str | Unset = ""
    refiner_checkpoint: None | str | Unset = UNSET
    refiner_switch_at: float | None | Unset = UNSET
    resize_mode: int | None | Unset = 0
    restore_faces: bool | None | Unset = UNSET
    s_churn: float | None | Unset = UNSET
    s_min_uncond: float | None | Unset = UNSET
    s_noise: float | None | Unset = UNSET
    s_tmax: float | None | Unset = UNSET
    s_tmin: float | None | Unset = UNSET
    sampler_index: None | str | Unset = UNSET
    sampler_name: None | str | Unset = UNSET
    save_images: bool | None | Unset = False
    scheduler: None | str | Unset = UNSET
    script_args: list[Any] | None | Unset = UNSET
    script_name: None | str | Unset = UNSET
    seed: int | None | Unset = -1
    seed_resize_from_h: int | None | Unset = -1
    seed_resize_from_w: int | None | Unset = -1
    send_images: bool | None | Unset = True
    steps: int | None | Unset = UNSET
    styles: list[str] | None | Unset = UNSET
    subseed: int | None | Unset = -1
    subseed_strength: float | None | Unset = 0.0
    tiling: bool | None | Unset = UNSET
    width: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.img_2_img_alwayson_scripts_type_0 import Img2ImgAlwaysonScriptsType0  # noqa: PLC0415
        from ..models.img_2_img_comments_type_0 import Img2ImgCommentsType0  # noqa: PLC0415
        from ..models.img_2_img_override_settings_type_0 import Img2ImgOverrideSettingsType0  # noqa: PLC0415

        alwayson_scripts: dict[str, Any] | None | Unset
        if isinstance(self.alwayson_scripts, Unset):
            alwayson_scripts = UNSET
        elif isinstance(self.alwayson_scripts, Img2ImgAlwaysonScriptsType0):
            alwayson_scripts = self.alwayson_scripts.to_dict()
        else:
            alwayson_scripts = self.alwayson_scripts

        batch_size: int | None | Unset
        if isinstance(self.batch_size, Unset):
            batch_size = UNSET
        else:
            batch_size = self.batch_size

        cfg_scale: float | None | Unset
        if isinstance(self.cfg_scale, Unset):
            cfg_scale = UNSET
        else:
            cfg_scale = self.cfg_scale

        comments: dict[str, Any] | None | Unset
        if isinstance(self.comments, Unset):
            comments = UNSET
        elif isinstance(self.comments, Img2ImgCommentsType0):
            comments = self.comments.to_dict()
        else:
            comments = self.comments

        denoising_strength: float | None | Unset
        if isinstance(self.denoising_strength, Unset):
            denoising_strength = UNSET
        else:
            denoising_strength = self.denoising_strength

        disable_extra_networks: bool | None | Unset
        if isinstance(self.disable_extra_networks, Unset):
            disable_extra_networks = UNSET
        else:
            disable_extra_networks = self.disable_extra_networks

        do_not_save_grid: bool | None | Unset
        if isinstance(self.do_not_save_grid, Unset):
            do_not_save_grid = UNSET
        else:
            do_not_save_grid = self.do_not_save_grid

        do_not_save_samples: bool | None | Unset
        if isinstance(self.do_not_save_samples, Unset):
            do_not_save_samples = UNSET
        else:
            do_not_save_samples = self.do_not_save_samples

        eta: float | None | Unset
        if isinstance(self.eta, Unset):
            eta = UNSET
        else:
            eta = self.eta

        firstpass_image: None | str | Unset
        if isinstance(self.firstpass_image, Unset):
            firstpass_image = UNSET
        else:
            firstpass_image = self.firstpass_image

        force_task_id: None | str | Unset
        if isinstance(self.force_task_id, Unset):
            force_task_id = UNSET
        else:
            force_task_id = self.force_task_id

        height: int | None | Unset
        if isinstance(self.height, Unset):
            height = UNSET
        else:
            height = self.height

        image_cfg_scale: float | None | Unset
        if isinstance(self.image_cfg_scale, Unset):
            image_cfg_scale = UNSET
        else:
            image_cfg_scale = self.image_cfg_scale

        include_init_images: bool | None | Unset
        if isinstance(self.include_init_images, Unset):
            include_init_images = UNSET
        else:
            include_init_images = self.include_init_images

        infotext: None | str | Unset
        if isinstance(self.infotext, Unset):
            infotext = UNSET
        else:
            infotext = self.infotext

        init_images: list[str] | None | Unset
        if isinstance(self.init_images, Unset):
            init_images = UNSET
        elif isinstance(self.init_images, list):
            init_images = self.init_images

        else:
            init_images = self.init_images

        initial_noise_multiplier: float | None | Unset
        if isinstance(self.initial_noise_multiplier, Unset):
            initial_noise_multiplier = UNSET
        else:
            initial_noise_multiplier = self.initial_noise_multiplier

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

        inpainting_fill: int | None | Unset
        if isinstance(self.inpainting_fill, Unset):
            inpainting_fill = UNSET
        else:
            inpainting_fill = self.inpainting_fill

        inpainting_mask_invert: int | None | Unset
        if isinstance(self.inpainting_mask_invert, Unset):
            inpainting_mask_invert = UNSET
        else:
            inpainting_mask_invert = self.inpainting_mask_invert

        latent_mask: None | str | Unset
        if isinstance(self.latent_mask, Unset):
            latent_mask = UNSET
        else:
            latent_mask = self.latent_mask

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

        mask_blur_x: int | None | Unset
        if isinstance(self.mask_blur_x, Unset):
            mask_blur_x = UNSET
        else:
            mask_blur_x = self.mask_blur_x

        mask_blur_y: int | None | Unset
        if isinstance(self.mask_blur_y, Unset):
            mask_blur_y = UNSET
        else:
            mask_blur_y = self.mask_blur_y

        mask_round: bool | None | Unset
        if isinstance(self.mask_round, Unset):
            mask_round = UNSET
        else:
            mask_round = self.mask_round

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

        override_settings: dict[str, Any] | None | Unset
        if isinstance(self.override_settings, Unset):
            override_settings = UNSET
        elif isinstance(self.override_settings, Img2ImgOverrideSettingsType0):
            override_settings = self.override_settings.to_dict()
        else:
            override_settings = self.override_settings

        override_settings_restore_afterwards: bool | None | Unset
        if isinstance(self.override_settings_restore_afterwards, Unset):
            override_settings_restore_afterwards = UNSET
        else:
            override_settings_restore_afterwards = self.override_settings_restore_afterwards

        prompt: None | str | Unset
        if isinstance(self.prompt, Unset):
            prompt = UNSET
        else:
            prompt = self.prompt

        refiner_checkpoint: None | str | Unset
        if isinstance(self.refiner_checkpoint, Unset):
            refiner_checkpoint = UNSET
        else:
            refiner_checkpoint = self.refiner_checkpoint

        refiner_switch_at: float | None | Unset
        if isinstance(self.refiner_switch_at, Unset):
            refiner_switch_at = UNSET
        else:
            refiner_switch_at = self.refiner_switch_at

        resize_mode: int | None | Unset
        if isinstance(self.resize_mode, Unset):
            resize_mode = UNSET
        else:
            resize_mode = self.resize_mode

        restore_faces: bool | None | Unset
        if isinstance(self.restore_faces, Unset):
            restore_faces = UNSET
        else:
            restore_faces = self.restore_faces

        s_churn: float | None | Unset
        if isinstance(self.s_churn, Unset):
            s_churn = UNSET
        else:
            s_churn = self.s_churn

        s_min_uncond: float | None | Unset
        if isinstance(self.s_min_uncond, Unset):
            s_min_uncond = UNSET
        else:
            s_min_uncond = self.s_min_uncond

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

        sampler_index: None | str | Unset
        if isinstance(self.sampler_index, Unset):
            sampler_index = UNSET
        else:
            sampler_index = self.sampler_index

        sampler_name: None | str | Unset
        if isinstance(self.sampler_name, Unset):
            sampler_name = UNSET
        else:
            sampler_name = self.sampler_name

        save_images: bool | None | Unset
        if isinstance(self.save_images, Unset):
            save_images = UNSET
        else:
            save_images = self.save_images

        scheduler: None | str | Unset
        if isinstance(self.scheduler, Unset):
            scheduler = UNSET
        else:
            scheduler = self.scheduler

        script_args: list[Any] | None | Unset
        if isinstance(self.script_args, Unset):
            script_args = UNSET
        elif isinstance(self.script_args, list):
            script_args = self.script_args

        else:
            script_args = self.script_args

        script_name: None | str | Unset
        if isinstance(self.script_name, Unset):
            script_name = UNSET
        else:
            script_name = self.script_name

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

        send_images: bool | None | Unset
        if isinstance(self.send_images, Unset):
            send_images = UNSET
        else:
            send_images = self.send_images

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

        width: int | None | Unset
        if isinstance(self.width, Unset):
            width = UNSET
        else:
            width = self.width

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if alwayson_scripts is not UNSET:
            field_dict["alwayson_scripts"] = alwayson_scripts
        if batch_size is not UNSET:
            field_dict["batch_size"] = batch_size
        if cfg_scale is not UNSET:
            field_dict["cfg_scale"] = cfg_scale
        if comments is not UNSET:
            field_dict["comments"] = comments
        if denoising_strength is not UNSET:
            field_dict["denoising_strength"] = denoising_strength
        if disable_extra_networks is not UNSET:
            field_dict["disable_extra_networks"] = disable_extra_networks
        if do_not_save_grid is not UNSET:
            field_dict["do_not_save_grid"] = do_not_save_grid
        if do_not_save_samples is not UNSET:
            field_dict["do_not_save_samples"] = do_not_save_samples
        if eta is not UNSET:
            field_dict["eta"] = eta
        if firstpass_image is not UNSET:
            field_dict["firstpass_image"] = firstpass_image
        if force_task_id is not UNSET:
            field_dict["force_task_id"] = force_task_id
        if height is not UNSET:
            field_dict["height"] = height
        if image_cfg_scale is not UNSET:
            field_dict["image_cfg_scale"] = image_cfg_scale
        if include_init_images is not UNSET:
            field_dict["include_init_images"] = include_init_images
        if infotext is not UNSET:
            field_dict["infotext"] = infotext
        if init_images is not UNSET:
            field_dict["init_images"] = init_images
        if initial_noise_multiplier is not UNSET:
            field_dict["initial_noise_multiplier"] = initial_noise_multiplier
        if inpaint_full_res is not UNSET:
            field_dict["inpaint_full_res"] = inpaint_full_res
        if inpaint_full_res_padding is not UNSET:
            field_dict["inpaint_full_res_padding"] = inpaint_full_res_padding
        if inpainting_fill is not UNSET:
            field_dict["inpainting_fill"] = inpainting_fill
        if inpainting_mask_invert is not UNSET:
            field_dict["inpainting_mask_invert"] = inpainting_mask_invert
        if latent_mask is not UNSET:
            field_dict["latent_mask"] = latent_mask
        if mask is not UNSET:
            field_dict["mask"] = mask
        if mask_blur is not UNSET:
            field_dict["mask_blur"] = mask_blur
        if mask_blur_x is not UNSET:
            field_dict["mask_blur_x"] = mask_blur_x
        if mask_blur_y is not UNSET:
            field_dict["mask_blur_y"] = mask_blur_y
        if mask_round is not UNSET:
            field_dict["mask_round"] = mask_round
        if n_iter is not UNSET:
            field_dict["n_iter"] = n_iter
        if negative_prompt is not UNSET:
            field_dict["negative_prompt"] = negative_prompt
        if override_settings is not UNSET:
            field_dict["override_settings"] = override_settings
        if override_settings_restore_afterwards is not UNSET:
            field_dict["override_settings_restore_afterwards"] = override_settings_restore_afterwards
        if prompt is not UNSET:
            field_dict["prompt"] = prompt
        if refiner_checkpoint is not UNSET:
            field_dict["refiner_checkpoint"] = refiner_checkpoint
        if refiner_switch_at is not UNSET:
            field_dict["refiner_switch_at"] = refiner_switch_at
        if resize_mode is not UNSET:
            field_dict["resize_mode"] = resize_mode
        if restore_faces is not UNSET:
            field_dict["restore_faces"] = restore_faces
        if s_churn is not UNSET:
            field_dict["s_churn"] = s_churn
        if s_min_uncond is not UNSET:
            field_dict["s_min_uncond"] = s_min_uncond
        if s_noise is not UNSET:
            field_dict["s_noise"] = s_noise
        if s_tmax is not UNSET:
            field_dict["s_tmax"] = s_tmax
        if s_tmin is not UNSET:
            field_dict["s_tmin"] = s_tmin
        if sampler_index is not UNSET:
            field_dict["sampler_index"] = sampler_index
        if sampler_name is not UNSET:
            field_dict["sampler_name"] = sampler_name
        if save_images is not UNSET:
            field_dict["save_images"] = save_images
        if scheduler is not UNSET:
            field_dict["scheduler"] = scheduler
        if script_args is not UNSET:
            field_dict["script_args"] = script_args
        if script_name is not UNSET:
            field_dict["script_name"] = script_name
        if seed is not UNSET:
            field_dict["seed"] = seed
        if seed_resize_from_h is not UNSET:
            field_dict["seed_resize_from_h"] = seed_resize_from_h
        if seed_resize_from_w is not UNSET:
            field_dict["seed_resize_from_w"] = seed_resize_from_w
        if send_images is not UNSET:
            field_dict["send_images"] = send_images
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
        if width is not UNSET:
            field_dict["width"] = width

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.img_2_img_alwayson_scripts_type_0 import Img2ImgAlwaysonScriptsType0  # noqa: PLC0415
        from ..models.img_2_img_comments_type_0 import Img2ImgCommentsType0  # noqa: PLC0415
        from ..models.img_2_img_override_settings_type_0 import Img2ImgOverrideSettingsType0  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_alwayson_scripts(data: object) -> Img2ImgAlwaysonScriptsType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                alwayson_scripts_type_0 = Img2ImgAlwaysonScriptsType0.from_dict(data)

                return alwayson_scripts_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Img2ImgAlwaysonScriptsType0 | None | Unset, data)

        alwayson_scripts = _parse_alwayson_scripts(d.pop("alwayson_scripts", UNSET))

        def _parse_batch_size(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        batch_size = _parse_batch_size(d.pop("batch_size", UNSET))

        def _parse_cfg_scale(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        cfg_scale = _parse_cfg_scale(d.pop("cfg_scale", UNSET))

        def _parse_comments(data: object) -> Img2ImgCommentsType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                comments_type_0 = Img2ImgCommentsType0.from_dict(data)

                return comments_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Img2ImgCommentsType0 | None | Unset, data)

        comments = _parse_comments(d.pop("comments", UNSET))

        def _parse_denoising_strength(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        denoising_strength = _parse_denoising_strength(d.pop("denoising_strength", UNSET))

        def _parse_disable_extra_networks(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        disable_extra_networks = _parse_disable_extra_networks(d.pop("disable_extra_networks", UNSET))

        def _parse_do_not_save_grid(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        do_not_save_grid = _parse_do_not_save_grid(d.pop("do_not_save_grid", UNSET))

        def _parse_do_not_save_samples(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        do_not_save_samples = _parse_do_not_save_samples(d.pop("do_not_save_samples", UNSET))

        def _parse_eta(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        eta = _parse_eta(d.pop("eta", UNSET))

        def _parse_firstpass_image(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        firstpass_image = _parse_firstpass_image(d.pop("firstpass_image", UNSET))

        def _parse_force_task_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        force_task_id = _parse_force_task_id(d.pop("force_task_id", UNSET))

        def _parse_height(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        height = _parse_height(d.pop("height", UNSET))

        def _parse_image_cfg_scale(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        image_cfg_scale = _parse_image_cfg_scale(d.pop("image_cfg_scale", UNSET))

        def _parse_include_init_images(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        include_init_images = _parse_include_init_images(d.pop("include_init_images", UNSET))

        def _parse_infotext(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        infotext = _parse_infotext(d.pop("infotext", UNSET))

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

        def _parse_initial_noise_multiplier(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        initial_noise_multiplier = _parse_initial_noise_multiplier(d.pop("initial_noise_multiplier", UNSET))

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

        def _parse_inpainting_fill(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        inpainting_fill = _parse_inpainting_fill(d.pop("inpainting_fill", UNSET))

        def _parse_inpainting_mask_invert(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        inpainting_mask_invert = _parse_inpainting_mask_invert(d.pop("inpainting_mask_invert", UNSET))

        def _parse_latent_mask(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        latent_mask = _parse_latent_mask(d.pop("latent_mask", UNSET))

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

        def _parse_mask_blur_x(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        mask_blur_x = _parse_mask_blur_x(d.pop("mask_blur_x", UNSET))

        def _parse_mask_blur_y(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        mask_blur_y = _parse_mask_blur_y(d.pop("mask_blur_y", UNSET))

        def _parse_mask_round(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        mask_round = _parse_mask_round(d.pop("mask_round", UNSET))

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

        def _parse_override_settings(data: object) -> Img2ImgOverrideSettingsType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                override_settings_type_0 = Img2ImgOverrideSettingsType0.from_dict(data)

                return override_settings_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Img2ImgOverrideSettingsType0 | None | Unset, data)

        override_settings = _parse_override_settings(d.pop("override_settings", UNSET))

        def _parse_override_settings_restore_afterwards(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        override_settings_restore_afterwards = _parse_override_settings_restore_afterwards(
            d.pop("override_settings_restore_afterwards", UNSET)
        )

        def _parse_prompt(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        prompt = _parse_prompt(d.pop("prompt", UNSET))

        def _parse_refiner_checkpoint(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        refiner_checkpoint = _parse_refiner_checkpoint(d.pop("refiner_checkpoint", UNSET))

        def _parse_refiner_switch_at(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        refiner_switch_at = _parse_refiner_switch_at(d.pop("refiner_switch_at", UNSET))

        def _parse_resize_mode(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        resize_mode = _parse_resize_mode(d.pop("resize_mode", UNSET))

        def _parse_restore_faces(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        restore_faces = _parse_restore_faces(d.pop("restore_faces", UNSET))

        def _parse_s_churn(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        s_churn = _parse_s_churn(d.pop("s_churn", UNSET))

        def _parse_s_min_uncond(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        s_min_uncond = _parse_s_min_uncond(d.pop("s_min_uncond", UNSET))

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

        def _parse_sampler_index(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        sampler_index = _parse_sampler_index(d.pop("sampler_index", UNSET))

        def _parse_sampler_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        sampler_name = _parse_sampler_name(d.pop("sampler_name", UNSET))

        def _parse_save_images(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        save_images = _parse_save_images(d.pop("save_images", UNSET))

        def _parse_scheduler(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        scheduler = _parse_scheduler(d.pop("scheduler", UNSET))

        def _parse_script_args(data: object) -> list[Any] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                script_args_type_0 = cast(list[Any], data)

                return script_args_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[Any] | None | Unset, data)

        script_args = _parse_script_args(d.pop("script_args", UNSET))

        def _parse_script_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        script_name = _parse_script_name(d.pop("script_name", UNSET))

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

        def _parse_send_images(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        send_images = _parse_send_images(d.pop("send_images", UNSET))

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

        def _parse_width(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        width = _parse_width(d.pop("width", UNSET))

        img_2_img = cls(
            alwayson_scripts=alwayson_scripts,
            batch_size=batch_size,
            cfg_scale=cfg_scale,
            comments=comments,
            denoising_strength=denoising_strength,
            disable_extra_networks=disable_extra_networks,
            do_not_save_grid=do_not_save_grid,
            do_not_save_samples=do_not_save_samples,
            eta=eta,
            firstpass_image=firstpass_image,
            force_task_id=force_task_id,
            height=height,
            image_cfg_scale=image_cfg_scale,
            include_init_images=include_init_images,
            infotext=infotext,
            init_images=init_images,
            initial_noise_multiplier=initial_noise_multiplier,
            inpaint_full_res=inpaint_full_res,
            inpaint_full_res_padding=inpaint_full_res_padding,
            inpainting_fill=inpainting_fill,
            inpainting_mask_invert=inpainting_mask_invert,
            latent_mask=latent_mask,
            mask=mask,
            mask_blur=mask_blur,
            mask_blur_x=mask_blur_x,
            mask_blur_y=mask_blur_y,
            mask_round=mask_round,
            n_iter=n_iter,
            negative_prompt=negative_prompt,
            override_settings=override_settings,
            override_settings_restore_afterwards=override_settings_restore_afterwards,
            prompt=prompt,
            refiner_checkpoint=refiner_checkpoint,
            refiner_switch_at=refiner_switch_at,
            resize_mode=resize_mode,
            restore_faces=restore_faces,
            s_churn=s_churn,
            s_min_uncond=s_min_uncond,
            s_noise=s_noise,
            s_tmax=s_tmax,
            s_tmin=s_tmin,
            sampler_index=sampler_index,
            sampler_name=sampler_name,
            save_images=save_images,
            scheduler=scheduler,
            script_args=script_args,
            script_name=script_name,
            seed=seed,
            seed_resize_from_h=seed_resize_from_h,
            seed_resize_from_w=seed_resize_from_w,
            send_images=send_images,
            steps=steps,
            styles=styles,
            subseed=subseed,
            subseed_strength=subseed_strength,
            tiling=tiling,
            width=width,
        )

        img_2_img.additional_properties = d
        return img_2_img

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
