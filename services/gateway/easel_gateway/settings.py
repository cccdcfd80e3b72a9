"""Gateway settings: where it listens, the limits it enforces, the defaults it fills in."""

from __future__ import annotations

from pydantic import Field, SecretStr

from easel_common.settings import CommonSettings


class GatewaySettings(CommonSettings):
    host: str = "127.0.0.1"
    port: int = 7860
    max_body_bytes: int = 20 * 1024 * 1024
    max_upload_bytes: int = 20 * 1024**3  # model uploads stream to disk and are not held to max_body_bytes
    # Submissions in flight on this replica (admission/gate.py); one that finds them all taken waits at most
    # submit_queue_wait_s, then gets 503 + Retry-After before any work. 32 places carry several hundred submissions
    # a second while the jobs service keeps up (a place is held ~5-20 ms); see docs/performance.md.
    max_inflight_submits: int = Field(32, ge=1)
    submit_queue_wait_s: float = Field(0.05, ge=0)
    # A web UI call without force_task_id or Idempotency-Key is keyed by its caller and body: the same call again
    # within this many seconds (a client retrying after a time-out) gets the first call's job, not a second one.
    webui_idempotency_window_s: float = Field(10.0, gt=0)
    # Image links (links.py): how long a link in a job record (?links=true) fetches its image without a credential;
    # with the local store they are signed with link_secret (unset: a key made once in the data dir).
    image_link_ttl_s: int = Field(3600, ge=60, le=7 * 24 * 3600)
    link_secret: SecretStr | None = None
    max_width: int = 2048
    max_height: int = 2048
    max_steps: int = 150
    max_batch_size: int = 8
    max_images_per_job: int = 16  # batch_size x n_iter
    max_input_bytes: int = 16 * 1024 * 1024  # each client image (init image, mask, control image), decoded
    merge_max_bytes: int = Field(20 * 1024**3, ge=1)  # a checkpoint merge's inputs together (held in memory)
    max_input_side: int = 4096  # pixels on each side of a client image
    max_input_pixels_per_request: int = 2 * 4096 * 4096  # all of a job's client images together, from their headers
    max_webui_tasks_per_user: int = Field(8, ge=1)  # web UI calls running at once, clients gone or not
    max_sse_streams_per_user: int = Field(16, ge=1)  # open GET /v1/jobs/{id}/events streams
    auth_cache_ttl_s: float = 5.0
    webui_dir: str = ""  # the built web UI (webui/dist); empty: the repository's own (webapp.py)
    # browser session cookies' Secure flag (session.py); None: when the request came over https. Set true behind a
    # proxy that terminates TLS and forwards plain http.
    session_cookie_secure: bool | None = None
    trust_forwarded_for: bool = False  # behind a proxy that sets X-Forwarded-For, take the client from it
    # Audit events wait in memory at most this long to be published with others, one JetStream message per batch
    # (audit.py): one message and one ack for many events instead of each.
    audit_linger_s: float = Field(0.05, ge=0, le=5)
    pools: list[str] = ["default"]
    default_pool: str = "default"
    default_model: str = "tiny-sd"
    default_sampler: str = "Euler a"
    default_steps: int = 20
    default_cfg_scale: float = 7.0
    # Fine-tuning (POST /v1/trainings, /v1/datasets): what one training may ask for, checked before anything runs.
    max_training_steps: int = Field(20_000, ge=1)
    max_training_resolution: int = Field(1024, ge=32)
    max_training_batch_size: int = Field(16, ge=1)
    max_class_images: int = Field(200, ge=1)  # dreambooth.num_class_images: class images a training may generate
    max_lora_rank: int = Field(128, ge=1)
    max_dataset_upload_bytes: int = Field(512 * 1024 * 1024, ge=1024)  # one POST /v1/datasets, archive or images
    dataset_timeout_s: float = Field(300.0, gt=0)  # the registry checking and storing a dataset's images
