"""The web UI's request bodies, with its field names and its leniency: unknown fields are ignored, every field
is optional, and a field left out takes the caller's own default (their settings), else the server's.

Fields Easel accepts and ignores (they change nothing a client can see in Easel's output): do_not_save_samples,
do_not_save_grid, save_images, s_min_uncond, override_settings_restore_afterwards
(overrides only ever apply to their own job), disable_extra_networks, comments, firstphase_width/height,
image_cfg_scale, initial_noise_multiplier, latent_mask, mask_round, include_init_images (only the echo).
restore_faces runs the face restorer named by the face_restoration_model option (a face_restorer model).
Refused with a 422 because Easel cannot do what they ask: refiner_checkpoint, hr_checkpoint_name,
hr_sampler_name / hr_scheduler other than the first pass's.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Payload(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Generation(Payload):
    """Fields txt2img and img2img share (`StableDiffusionProcessing` plus the API's additions)."""

    prompt: str | None = ""
    negative_prompt: str | None = None
    styles: list[str] | None = None
    seed: int | None = -1
    subseed: int | None = -1
    subseed_strength: float | None = 0.0
    seed_resize_from_h: int | None = -1
    seed_resize_from_w: int | None = -1
    sampler_name: str | None = None
    sampler_index: str | None = None
    scheduler: str | None = None
    batch_size: int | None = None
    n_iter: int | None = None
    steps: int | None = None
    cfg_scale: float | None = None
    width: int | None = None
    height: int | None = None
    restore_faces: bool | None = None
    tiling: bool | None = None
    do_not_save_samples: bool | None = False
    do_not_save_grid: bool | None = False
    eta: float | None = None
    denoising_strength: float | None = None
    s_min_uncond: float | None = None
    s_churn: float | None = None
    s_tmax: float | None = None
    s_tmin: float | None = None
    s_noise: float | None = None
    override_settings: dict[str, Any] | None = None
    override_settings_restore_afterwards: bool | None = True
    refiner_checkpoint: str | None = None
    refiner_switch_at: float | None = None
    disable_extra_networks: bool | None = False
    firstpass_image: str | None = None
    comments: dict[str, Any] | None = None
    force_task_id: str | None = Field(default=None, max_length=200)
    script_name: str | None = None
    script_args: list[Any] | None = []
    send_images: bool | None = True
    save_images: bool | None = False
    alwayson_scripts: dict[str, Any] | None = {}
    infotext: str | None = None


class Txt2Img(Generation):
    enable_hr: bool | None = False
    firstphase_width: int | None = 0
    firstphase_height: int | None = 0
    hr_scale: float | None = 2.0
    hr_upscaler: str | None = None
    hr_second_pass_steps: int | None = 0
    hr_resize_x: int | None = 0
    hr_resize_y: int | None = 0
    hr_checkpoint_name: str | None = None
    hr_sampler_name: str | None = None
    hr_scheduler: str | None = None
    hr_prompt: str | None = ""
    hr_negative_prompt: str | None = ""


class Img2Img(Generation):
    init_images: list[str] | None = None
    resize_mode: int | None = 0
    image_cfg_scale: float | None = None
    mask: str | None = None
    mask_blur_x: int | None = 4
    mask_blur_y: int | None = 4
    mask_blur: int | None = None
    mask_round: bool | None = True
    inpainting_fill: int | None = 0
    inpaint_full_res: bool | None = True
    inpaint_full_res_padding: int | None = 0
    inpainting_mask_invert: int | None = 0
    initial_noise_multiplier: float | None = None
    latent_mask: str | None = None
    include_init_images: bool | None = False


class ExtrasOptions(Payload):
    """The extras tab (upscaling); face restoration is refused, as Easel has no face restorer."""

    resize_mode: int | None = 0
    show_extras_results: bool | None = True
    gfpgan_visibility: float | None = 0.0
    codeformer_visibility: float | None = 0.0
    codeformer_weight: float | None = 0.0
    upscaling_resize: float | None = 2.0
    upscaling_resize_w: int | None = 512
    upscaling_resize_h: int | None = 512
    upscaling_crop: bool | None = True
    upscaler_1: str | None = "None"
    upscaler_2: str | None = "None"
    extras_upscaler_2_visibility: float | None = 0.0
    upscale_first: bool | None = False


class ExtrasSingle(ExtrasOptions):
    image: str = ""


class BatchImage(Payload):
    data: str
    name: str | None = None


class ExtrasBatch(ExtrasOptions):
    imageList: list[BatchImage] = []  # noqa: N815 - the web UI's name


class PngInfo(Payload):
    image: str = ""


class TaskProgress(Payload):
    """/internal/progress: a web UI task by the id the client gave it (force_task_id)."""

    id_task: str | None = None
    id_live_preview: int | None = -1
    live_preview: bool | None = True


class Detect(Payload):
    """/controlnet/detect: run a preprocessor on images."""

    controlnet_module: str | None = "none"
    controlnet_input_images: list[str] | None = None
    controlnet_images: list[str] | None = None  # what some clients (webuiapi) send
    controlnet_masks: list[str] | None = None
    controlnet_processor_res: int | None = 512
    controlnet_threshold_a: float | None = -1
    controlnet_threshold_b: float | None = -1
    low_vram: bool | None = False


class Inference(Payload):
    """POST /inference: one of the web UI's calls, named by task, on a checkpoint named by `model`."""

    task: str
    model: str | None = None
    txt2img_payload: dict[str, Any] | None = None
    img2img_payload: dict[str, Any] | None = None
    extras_payload: dict[str, Any] | None = None
