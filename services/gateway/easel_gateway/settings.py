"""Gateway settings: where it listens, the limits it enforces, the defaults it fills in."""

from __future__ import annotations

from pydantic import Field

from easel_common.settings import CommonSettings


class GatewaySettings(CommonSettings):
    host: str = "127.0.0.1"
    port: int = 7860
    max_body_bytes: int = 20 * 1024 * 1024
    max_upload_bytes: int = 20 * 1024**3  # model uploads stream to disk and are not held to max_body_bytes
    max_inflight_submits: int = 256  # beyond this, submissions get a quick 503 instead of a slow one
    max_width: int = 2048
    max_height: int = 2048
    max_steps: int = 150
    max_batch_size: int = 8
    max_images_per_job: int = 16  # batch_size x n_iter
    max_input_bytes: int = 16 * 1024 * 1024  # each client image (init image, mask, control image), decoded
    max_input_side: int = 4096  # pixels on each side of a client image
    max_input_pixels_per_request: int = 2 * 4096 * 4096  # all of a job's client images together, from their headers
    max_webui_tasks_per_user: int = Field(8, ge=1)  # web UI calls running at once, clients gone or not
    max_sse_streams_per_user: int = Field(16, ge=1)  # open GET /v1/jobs/{id}/events streams
    auth_cache_ttl_s: float = 5.0
    trust_forwarded_for: bool = False  # behind a proxy that sets X-Forwarded-For, take the client from it
    pools: list[str] = ["default"]
    default_pool: str = "default"
    default_model: str = "tiny-sd"
    default_sampler: str = "Euler a"
    default_steps: int = 20
    default_cfg_scale: float = 7.0
