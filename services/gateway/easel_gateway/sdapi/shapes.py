"""The web UI's answers as models (its modules/api/models.py names), so the OpenAPI types /sdapi/v1 and a generated
client reads them. Each model keeps keys it does not name (extra="allow"): the handlers' dicts pass through as
they are, and a web UI extension's keys survive."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Shape(BaseModel):
    model_config = ConfigDict(extra="allow")


class EmptyResponse(Shape):
    """What the web UI answers once done: {}."""


class GenerationResponse(Shape):
    """TextToImageResponse / ImageToImageResponse."""

    images: list[str] = Field(description="Base64 PNGs, grids first; empty when send_images was false")
    parameters: dict[str, Any] = Field(description="The request as it was taken")
    info: str = Field(description="JSON of the web UI's Processed.js(): seeds, infotexts, the model's hash...")


class ExtrasSingleImageResponse(Shape):
    html_info: str
    image: str | None = Field(description="The upscaled image, base64 PNG")


class ExtrasBatchImagesResponse(Shape):
    html_info: str
    images: list[str]


class PNGInfoResponse(Shape):
    info: str = Field(description="The PNG's infotext")
    items: dict[str, str] = Field(description="Its other text chunks")
    parameters: dict[str, Any] = Field(description="The infotext parsed")


class SamplerItem(Shape):
    name: str
    aliases: list[str]
    options: dict[str, str]


class SchedulerItem(Shape):
    name: str
    label: str
    aliases: list[str] | None
    default_rho: float
    need_inner_model: bool


class UpscalerItem(Shape):
    name: str
    model_name: str | None
    model_path: str | None
    model_url: str | None
    scale: float


class LatentUpscalerModeItem(Shape):
    name: str


class SDModelItem(Shape):
    title: str
    model_name: str
    hash: str | None
    sha256: str | None
    filename: str
    config: str | None


class SDVaeItem(Shape):
    model_name: str
    filename: str


class LoraItem(Shape):
    name: str
    alias: str
    path: str
    metadata: dict[str, Any]


class EmbeddingItem(Shape):
    """From the embedding's metadata as imported (any JSON value the importer gave)."""

    step: Any
    sd_checkpoint: Any
    sd_checkpoint_name: Any
    shape: Any
    vectors: Any


class EmbeddingsResponse(Shape):
    loaded: dict[str, EmbeddingItem]
    skipped: dict[str, EmbeddingItem]


class HypernetworkItem(Shape):
    name: str
    path: str


class FaceRestorerItem(Shape):
    name: str
    cmd_dir: str | None


class RealesrganItem(Shape):
    name: str
    path: str | None = None
    scale: int | None = None


class PromptStyleItem(Shape):
    name: str
    prompt: str
    negative_prompt: str


class ScriptsList(Shape):
    txt2img: list[str]
    img2img: list[str]


class ScriptArg(Shape):
    label: str
    value: Any
    minimum: Any
    maximum: Any
    step: Any
    choices: list[str] | None


class ScriptInfo(Shape):
    name: str
    is_alwayson: bool
    is_img2img: bool
    args: list[ScriptArg]


class MemoryResponse(Shape):
    ram: dict[str, Any]
    cuda: dict[str, Any]


class ExtensionItem(Shape):
    name: str
    remote: str
    branch: str
    commit_hash: str
    version: str
    commit_date: int
    enabled: bool


class ProgressResponse(Shape):
    progress: float
    eta_relative: float
    state: dict[str, Any]
    current_image: str | None
    textinfo: str | None


class InternalProgressResponse(Shape):
    """/internal/progress: a web UI task's progress."""

    active: bool
    queued: bool
    completed: bool
    progress: float | None
    eta: float | None
    live_preview: str | None
    id_live_preview: int
    textinfo: str | None


class Options(Shape):
    """GET /sdapi/v1/options: the web UI's whole option table (its Options model has a field per option); the
    ones Easel applies are named here, every other comes through as stored (an extension's too)."""

    sd_model_checkpoint: str | None = Field(description="The caller's default checkpoint, by its web UI title")
    sd_checkpoint_hash: str | None = Field(description="That checkpoint's SHA-256; null when it is gone")
    sd_vae: str = Field(description="The caller's default VAE: a name, Automatic or None")
    CLIP_stop_at_last_layers: int = Field(description="The caller's default CLIP skip")
    return_grid: bool = Field(description="Whether scripts put their grid first in images")
    face_restoration_model: str | None = Field(description="restore_faces' model, unless override_settings say")
    code_former_weight: float | None = Field(description="CodeFormer's fidelity, unless override_settings say")


class Flags(Shape):
    """GET /sdapi/v1/cmd-flags: the web UI's command-line flags, as one started for API use shows them."""

    api: bool
    nowebui: bool
    api_auth: str | None
    gradio_auth: str | None
    listen: bool
    api_server_stop: bool
    disable_safe_unpickle: bool
    no_half: bool
    medvram: bool
    lowvram: bool
    xformers: bool
    skip_torch_cuda_test: bool
    enable_insecure_extension_access: bool
    hide_ui_dir_config: bool
    freeze_settings: bool
    api_log: bool


class InterrogateResponse(Shape):
    caption: str


class ControlNetVersion(Shape):
    version: int


class ControlNetModelList(Shape):
    model_list: list[str]


class ControlNetModuleList(Shape):
    module_list: list[str]
    module_detail: dict[str, Any]


class ControlNetSettings(Shape):
    control_net_unit_count: int


class ControlNetDetectResponse(Shape):
    images: list[str]
    info: str


# The web UI answers `null` to its refresh calls and to POST /sdapi/v1/options.
NULL = {200: {"description": "Done (the web UI answers null)", "content": {"application/json": {"schema": {
    "type": "null"}}}}}
