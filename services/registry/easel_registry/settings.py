"""Registry service settings: where imports may fetch from, and how much."""

from __future__ import annotations

from pydantic import Field

from easel_common.settings import CommonSettings

GIB = 1024 ** 3


class RegistrySettings(CommonSettings):
    # Hosts an HTTP import may reach even though they resolve to private or loopback addresses (an internal
    # mirror). Everything else must resolve to public addresses only, on every redirect hop.
    import_allow_hosts: list[str] = []
    # Buckets an s3:// import may read with the registry's own S3 credentials; "*" allows any bucket except the
    # object store's own (which holds every tenant's files). Empty: S3 imports are refused.
    import_allow_buckets: list[str] = []
    # The Hugging Face Hub that hf imports read from (EASEL_HF_ENDPOINT: an internal mirror); passed to the
    # client explicitly, so HF_ENDPOINT in the process environment does not decide it.
    hf_endpoint: str = "https://huggingface.co"
    import_max_bytes: int = 20 * GIB
    import_connect_timeout_s: float = 10.0
    import_read_timeout_s: float = 60.0  # between two chunks, not for the whole download
    import_max_redirects: int = 5
    # An `importing` row whose progress has not moved for this long belongs to a registry that died; running
    # imports touch their row every 10 s, so this stays well above that.
    import_stale_s: float = Field(60.0, ge=30.0)
    import_concurrency: int = 4  # imports fetching at once; more wait their turn (status importing, 0 bytes)
    # Datasets (POST /v1/datasets): how many images, how many bytes of uploads (an archive unpacked), the shorter
    # side an image needs at least, and the pixels an image may have (a decompression bomb is refused by its header).
    max_dataset_images: int = Field(500, ge=1)
    max_dataset_bytes: int = Field(512 * 1024 * 1024, ge=1024)
    min_dataset_side: int = Field(64, ge=8)
    max_dataset_image_pixels: int = Field(64 * 1024 * 1024, ge=4096)
    # Pickled checkpoints (.ckpt/.pt/.pth/.bin) are converted to safetensors in a confined process
    # (conversion.py): False refuses them instead. The converter's python needs torch (the service never imports
    # it); unset: this interpreter. Memory is address space beyond three times the file's size.
    convert_pickles: bool = True
    convert_python: str | None = None
    convert_memory_bytes: int = Field(4 * GIB, ge=64 * 1024 * 1024)
    convert_timeout_s: float = Field(600.0, gt=0)
    convert_uid: int | None = 65534  # who the converter runs as when the registry runs as root (nobody)
    # The first single-file checkpoint of sd15/sd21/sdxl fetches that base's configs and tokenizer (no weights)
    # from EASEL_HF_ENDPOINT into the object store for the workers (base_configs.py). False: offline installs
    # import them with `easel configs import PATH`.
    fetch_base_configs: bool = True
    # A model upload started (POST /v1/models/uploads) and not imported within this long is abandoned: the registry
    # removes its file and its record (uploads.py). Until then its bytes count in the tenant's storage.
    upload_abandon_s: float = Field(24 * 3600.0, ge=60.0)
    upload_sweep_s: float = Field(300.0, gt=0)  # how often the registry looks for abandoned uploads
    # The preload lists of the pools the Helm chart defines (workers.pools' preloadModels), by pool: a worker's
    # preload refs are answered only when on its pool's list, this or its pool record's (preload.py).
    pool_preload_models: dict[str, list[str]] = {}
