"""The object store every Easel process shares: a local folder or an S3 bucket, behind one async API."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol, TypeVar, runtime_checkable

import boto3
from boto3.exceptions import Boto3Error
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from easel_common.settings import CommonSettings
from easel_proto.errors import InvalidInput, NotFound, Unavailable

__all__ = ["LocalStore", "ObjectStore", "S3Store", "check_key", "open_store"]

T = TypeVar("T")

MAX_KEY_BYTES = 1024  # S3's limit; enforced for both backends so keys stay portable
TMP_PREFIX = ".easel-tmp-"  # reserved so in-flight LocalStore writes never show up as keys
MIB = 1024 * 1024
HEALTH_TIMEOUT_S = 5.0
_MISSING_CODES = {"NoSuchKey", "404", "NotFound"}
_NO_BUCKET_CODES = {"NoSuchBucket", "404", "NotFound"}


def check_key(key: str, field: str = "key") -> str:
    """Return `key` if it is a safe relative object key, else raise InvalidInput naming `field`."""
    if not isinstance(key, str) or not key:
        raise InvalidInput(field, "must be a non-empty string")
    if not key.isprintable():
        raise InvalidInput(field, "must contain only printable characters")
    if len(key.encode()) > MAX_KEY_BYTES:
        raise InvalidInput(field, f"must be at most {MAX_KEY_BYTES} bytes")
    if "\\" in key:
        raise InvalidInput(field, "must not contain a backslash")
    if key.startswith("/"):
        raise InvalidInput(field, "must be relative (no leading '/')")
    for segment in key.split("/"):
        if not segment:
            raise InvalidInput(field, "must not contain empty segments")
        if segment in (".", ".."):
            raise InvalidInput(field, "must not contain '.' or '..' segments")
        if segment.startswith(TMP_PREFIX):
            raise InvalidInput(field, f"segments must not start with {TMP_PREFIX!r}")
    return key


def _check_prefix(prefix: str) -> str:
    """Validate a list prefix: '' (everything) or a key, optionally ending in '/'."""
    if prefix == "":
        return prefix
    check_key(prefix.removesuffix("/") if isinstance(prefix, str) else prefix, "prefix")
    return prefix


@runtime_checkable
class ObjectStore(Protocol):
    """What callers may rely on, whichever backend is configured."""

    async def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None: ...
    async def get(self, key: str) -> bytes: ...
    async def exists(self, key: str) -> bool: ...
    async def size(self, key: str) -> int | None: ...
    async def delete(self, key: str) -> None: ...
    async def list(self, prefix: str) -> list[str]: ...
    async def usage(self, prefix: str) -> int: ...  # bytes stored under the prefix (a tenant's storage quota)
    async def put_file(self, key: str, path: Path, content_type: str = "application/octet-stream") -> None: ...
    async def get_file(self, key: str, path: Path) -> None: ...
    async def healthy(self) -> bool: ...
    async def close(self) -> None: ...


@contextmanager
def _replacing(dest: Path) -> Iterator[Path]:
    """Yield a temp path beside `dest`; move it onto `dest` on success, remove it on failure."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=dest.parent, prefix=TMP_PREFIX)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        tmp.chmod(0o644)  # mkstemp's 0600 would hide objects from other users sharing the volume
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _fsync(path: Path) -> None:
    """Flush a file to disk so a crash after os.replace cannot leave an empty object."""
    with open(path, "rb+") as f:
        os.fsync(f.fileno())


def _not_found(key: str) -> NotFound:
    return NotFound(f"object {key!r} not found", key=key)


class LocalStore:
    """Objects as files under `root`; every write is a temp file plus os.replace, so readers never see partial data."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()

    def _path(self, key: str) -> Path:
        path = self.root.joinpath(*key.split("/"))
        # check_key rules out '..'; this also stops symlinks inside the root from leading out of it
        if not path.resolve().is_relative_to(self.root):
            raise InvalidInput("key", "resolves outside the store")
        return path

    def _write(self, key: str, fill: Callable[[Path], None]) -> None:
        path = self._path(key)
        # a folder tree cannot hold both "a" and "a/b", which S3 allows: refuse such keys plainly
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except (NotADirectoryError, FileExistsError):
            raise InvalidInput("key", "a parent of the key is an object") from None
        if path.is_dir():
            raise InvalidInput("key", "is a prefix of other objects")
        with _replacing(path) as tmp:
            fill(tmp)
            _fsync(tmp)

    async def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        check_key(key)
        await asyncio.to_thread(self._write, key, lambda tmp: tmp.write_bytes(data))

    async def get(self, key: str) -> bytes:
        check_key(key)

        def read() -> bytes:
            try:
                return self._path(key).read_bytes()
            except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
                raise _not_found(key) from None

        return await asyncio.to_thread(read)

    async def exists(self, key: str) -> bool:
        check_key(key)
        return await asyncio.to_thread(lambda: self._path(key).is_file())

    async def size(self, key: str) -> int | None:
        """The object's size in bytes; None when there is none."""
        check_key(key)

        def stat() -> int | None:
            try:
                return self._path(key).stat().st_size
            except (FileNotFoundError, NotADirectoryError):
                return None

        return await asyncio.to_thread(stat)

    async def delete(self, key: str) -> None:
        check_key(key)

        def unlink() -> None:
            try:
                self._path(key).unlink()
            except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
                pass  # no object under that key: deleting is idempotent

        await asyncio.to_thread(unlink)

    async def list(self, prefix: str) -> list[str]:
        _check_prefix(prefix)

        def walk() -> list[str]:
            # walk only the folder holding the prefix's last segment, then match by string like S3 does
            folder = prefix.rpartition("/")[0]
            base = self._path(folder) if folder else self.root
            keys = []
            for dirpath, _, files in os.walk(base):
                rel = Path(dirpath).relative_to(self.root).as_posix()
                for name in files:
                    key = name if rel == "." else f"{rel}/{name}"
                    if not name.startswith(TMP_PREFIX) and key.startswith(prefix):
                        keys.append(key)
            return sorted(keys)

        return await asyncio.to_thread(walk)

    async def usage(self, prefix: str) -> int:
        """Bytes of the objects under `prefix` (`{tenant}/`: what a tenant stores)."""
        _check_prefix(prefix)

        def total() -> int:
            folder = prefix.rpartition("/")[0]
            base = self._path(folder) if folder else self.root
            size = 0
            for dirpath, _, files in os.walk(base):
                rel = Path(dirpath).relative_to(self.root).as_posix()
                for name in files:
                    key = name if rel == "." else f"{rel}/{name}"
                    if not name.startswith(TMP_PREFIX) and key.startswith(prefix):
                        with contextlib.suppress(FileNotFoundError):  # deleted while we walk
                            size += (Path(dirpath) / name).stat().st_size
            return size

        return await asyncio.to_thread(total)

    async def put_file(self, key: str, path: Path, content_type: str = "application/octet-stream") -> None:
        check_key(key)
        await asyncio.to_thread(self._write, key, lambda tmp: shutil.copyfile(path, tmp))

    async def get_file(self, key: str, path: Path) -> None:
        check_key(key)

        def copy() -> None:
            src = self._path(key)
            if not src.is_file():
                raise _not_found(key)
            with _replacing(Path(path)) as tmp:
                try:
                    shutil.copyfile(src, tmp)
                except FileNotFoundError:
                    raise _not_found(key) from None  # deleted between the check and the copy

        await asyncio.to_thread(copy)

    async def healthy(self) -> bool:
        def probe() -> bool:
            try:
                self.root.mkdir(parents=True, exist_ok=True)
            except OSError:
                return False
            return self.root.is_dir() and os.access(self.root, os.W_OK | os.X_OK)

        return await asyncio.to_thread(probe)

    async def close(self) -> None:
        return None


def default_transfer_config() -> TransferConfig:
    """Multipart and parallel transfers for big files (model weights), single requests for images."""
    return TransferConfig(
        multipart_threshold=16 * MIB, multipart_chunksize=16 * MIB, max_concurrency=8, use_threads=True
    )


class S3Store:
    """Objects in an S3 (or S3-compatible) bucket through one shared, thread-safe boto3 client."""

    def __init__(
        self,
        bucket: str,
        *,
        endpoint_url: str | None = None,
        region: str = "us-east-1",
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        create_bucket: bool = False,
        transfer: TransferConfig | None = None,
        max_attempts: int = 5,
    ) -> None:
        self.bucket = bucket
        self.region = region
        self._create_bucket = create_bucket
        self._bucket_ready = not create_bucket
        self._bucket_lock = threading.Lock()  # a thread lock: bucket setup runs in worker threads, on any loop
        self._transfer = transfer or default_transfer_config()
        options: dict[str, Any] = {}
        if endpoint_url:
            # MinIO and friends want path-style URLs and reject the checksum trailers newer botocore sends
            options = {
                "s3": {"addressing_style": "path"},
                "request_checksum_calculation": "when_required",
                "response_checksum_validation": "when_required",
            }
        config = Config(
            retries={"mode": "standard", "max_attempts": max_attempts},
            connect_timeout=5,
            read_timeout=60,
            # transfers open max_concurrency connections each; leave room for several at once
            max_pool_connections=max(32, 4 * self._transfer.max_concurrency),
            **options,
        )
        # a private Session: boto3's default session is not safe to share across threads
        self._client = boto3.session.Session().client(
            "s3",
            endpoint_url=endpoint_url,
            region_name=region,
            aws_access_key_id=access_key_id,
            aws_secret_access_key=secret_access_key,
            config=config,
        )

    def download_url(self, key: str, *, expires_s: int) -> str:
        """A presigned GET URL: the object for whoever holds it, until it expires (S3 checks both)."""
        check_key(key)
        return self._client.generate_presigned_url("get_object", Params={"Bucket": self.bucket, "Key": key},
                                                   ExpiresIn=expires_s)

    def upload_form(self, key: str, *, max_bytes: int, expires_s: int = 900) -> dict[str, Any]:
        """A presigned POST form ({url, fields}) with which a client uploads up to max_bytes straight into `key`,
        without the bytes passing through Easel; S3 itself enforces the size range and the expiry."""
        check_key(key)
        self._ensure_bucket()
        return self._client.generate_presigned_post(
            self.bucket, key, Conditions=[["content-length-range", 1, max_bytes]], ExpiresIn=expires_s)

    def _ensure_bucket(self) -> None:
        if self._bucket_ready:
            return
        with self._bucket_lock:
            if self._bucket_ready:
                return
            try:
                self._client.head_bucket(Bucket=self.bucket)
            except ClientError as exc:
                if _code(exc) not in _NO_BUCKET_CODES:
                    raise
                extra = {} if self.region == "us-east-1" else {
                    "CreateBucketConfiguration": {"LocationConstraint": self.region}
                }
                try:
                    self._client.create_bucket(Bucket=self.bucket, **extra)
                except ClientError as exc2:
                    if _code(exc2) != "BucketAlreadyOwnedByYou":  # another process won the race
                        raise
            self._bucket_ready = True

    def _call(self, key: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a boto3 call (in a worker thread), mapping its errors onto Easel's."""
        try:
            self._ensure_bucket()
            return fn(*args, **kwargs)
        except ClientError as exc:
            code = _code(exc)
            if code in _MISSING_CODES:
                raise _not_found(key) from exc
            raise Unavailable(f"object store refused the request: {code or exc}", code=code) from exc
        except (BotoCoreError, Boto3Error) as exc:
            raise Unavailable(f"object store unreachable: {exc}") from exc

    async def _run(self, key: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return await asyncio.to_thread(self._call, key, fn, *args, **kwargs)

    async def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        check_key(key)
        await self._run(
            key, self._client.put_object, Bucket=self.bucket, Key=key, Body=data, ContentType=content_type
        )

    async def get(self, key: str) -> bytes:
        check_key(key)

        def read() -> bytes:
            body = self._client.get_object(Bucket=self.bucket, Key=key)["Body"]
            with body:
                return body.read()

        return await self._run(key, read)

    async def exists(self, key: str) -> bool:
        check_key(key)
        try:
            await self._run(key, self._client.head_object, Bucket=self.bucket, Key=key)
        except NotFound:
            return False
        return True

    async def size(self, key: str) -> int | None:
        check_key(key)
        try:
            head = await self._run(key, self._client.head_object, Bucket=self.bucket, Key=key)
        except NotFound:
            return None
        return int(head["ContentLength"])

    async def delete(self, key: str) -> None:
        check_key(key)
        await self._run(key, self._client.delete_object, Bucket=self.bucket, Key=key)

    async def list(self, prefix: str) -> list[str]:
        _check_prefix(prefix)

        def collect() -> list[str]:
            pages = self._client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix)
            return sorted(obj["Key"] for page in pages for obj in page.get("Contents", []))

        return await self._run(prefix, collect)

    async def usage(self, prefix: str) -> int:
        """Bytes of the objects under `prefix`: sizes come with the listing (one call per 1000 objects)."""
        _check_prefix(prefix)

        def total() -> int:
            pages = self._client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix)
            return sum(obj["Size"] for page in pages for obj in page.get("Contents", []))

        return await self._run(prefix, total)

    async def put_file(self, key: str, path: Path, content_type: str = "application/octet-stream") -> None:
        check_key(key)
        await self._run(
            key,
            self._client.upload_file,
            str(path),
            self.bucket,
            key,
            ExtraArgs={"ContentType": content_type},
            Config=self._transfer,
        )

    async def get_file(self, key: str, path: Path) -> None:
        check_key(key)

        def download() -> None:
            with _replacing(Path(path)) as tmp:
                self._client.download_file(self.bucket, key, str(tmp), Config=self._transfer)

        await self._run(key, download)

    async def healthy(self) -> bool:
        def probe() -> None:
            self._ensure_bucket()
            self._client.head_bucket(Bucket=self.bucket)

        try:
            # bounded: retries against a dead endpoint would otherwise stall a readiness probe
            await asyncio.wait_for(asyncio.to_thread(probe), HEALTH_TIMEOUT_S)
        except Exception:  # any failure means "not usable now"; the probe must not raise
            return False
        return True

    async def close(self) -> None:
        await asyncio.to_thread(self._client.close)


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def open_store(settings: CommonSettings) -> ObjectStore:
    """Build the store `settings.store` names."""
    if settings.store == "local":
        assert settings.store_dir is not None  # CommonSettings fills it from data_dir
        return LocalStore(settings.store_dir)
    secret = settings.s3_secret_access_key
    return S3Store(
        settings.s3_bucket,
        endpoint_url=settings.s3_endpoint_url,
        region=settings.s3_region,
        access_key_id=settings.s3_access_key_id,
        secret_access_key=secret.get_secret_value() if secret is not None else None,
        create_bucket=settings.s3_create_bucket,
    )
