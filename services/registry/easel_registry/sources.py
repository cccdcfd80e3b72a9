"""Fetchers: bring a model's files from a source into a local temp folder, hashing and counting as they come.

Each fetcher writes only under `dest`, checks every path it is given, refuses pickles by name before downloading
and by their first bytes while downloading, and stops at the size cap. Progress goes to a `Progress` the flow reads.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO
from urllib.parse import urlsplit

import httpx

from easel_common import egress
from easel_common.storage import ObjectStore
from easel_proto.errors import InvalidInput, NotFound
from easel_proto.v1.registry import ModelSource
from easel_registry import safety
from easel_registry.settings import RegistrySettings

CHUNK = 1024 * 1024
_REPO = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,95}(/[A-Za-z0-9][A-Za-z0-9._-]{0,95})?$")
_REVISION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,199}$")
_UPLOAD_ID = re.compile(r"^[0-9a-f]{32}$")
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,62}$")


@dataclass
class Progress:
    """Bytes fetched so far; written by fetchers (from any thread), read by the flow's progress reporter."""

    done: int = 0
    total: int | None = None
    canceled: bool = False  # set by the flow; a fetcher running in a thread stops at its next chunk


@dataclass
class Fetched:
    path: str  # relative path inside the model
    local: Path
    size: int
    sha256: str
    pickled: bool = False  # a pickled checkpoint, to be converted (conversion.py) before any other check


class Sink:
    """A file being written while it is hashed, counted against the cap and checked for pickle magic."""

    def __init__(self, local: Path, progress: Progress, cap: int, field: str = "source",
                 allow_pickle: bool = False) -> None:
        local.parent.mkdir(parents=True, exist_ok=True)
        self.local, self.progress, self.cap, self.field = local, progress, cap, field
        self.allow_pickle = allow_pickle  # a file named as a pickled checkpoint, which the import converts
        self.file: BinaryIO = open(local, "wb")
        self.digest = hashlib.sha256()
        self.size = 0
        self._head = b""

    def write(self, chunk: bytes) -> None:
        if self.progress.canceled:
            raise InvalidInput(self.field, "the import was canceled")
        if len(self._head) < 8:
            self._head += chunk[:8]
            if not self.allow_pickle:
                safety.refuse_pickled_content(self._head, self.field)
        self.size += len(chunk)
        if self.size > self.cap:
            raise InvalidInput(self.field, f"the model is larger than the import limit of {self.cap} bytes")
        self.file.write(chunk)
        self.digest.update(chunk)
        self.progress.done += len(chunk)

    def close(self, path: str) -> Fetched:
        self.file.close()
        return Fetched(path, self.local, self.size, self.digest.hexdigest(), pickled=self.allow_pickle)

    def abort(self) -> None:
        self.file.close()


def hash_file(local: Path, progress: Progress | None = None) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    with open(local, "rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            if progress is not None:
                progress.done += len(chunk)
    return size, digest.hexdigest()


def describe(source: ModelSource) -> str:
    """What the row keeps of a source: never a token, a URL's query string or its credentials."""
    if source.type == "http":
        parts = urlsplit(source.uri)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
        return f"{parts.scheme}://{host}{port}{parts.path}"
    if source.type == "hf":
        rev = f"@{source.revision}" if source.revision else ""
        sub = f"/{source.subfolder}" if source.subfolder else ""
        return f"hf://{source.uri}{rev}{sub}"
    if source.type in ("upload", "training", "merge"):
        return f"{source.type}:{source.uri}"
    return source.uri


def validate(source: ModelSource, settings: RegistrySettings) -> None:
    """Cheap checks at request time, so an obviously bad import is refused with 422 instead of failing later."""
    if source.type == "http":
        parts = urlsplit(source.uri)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise InvalidInput("source.uri", "must be an http:// or https:// URL")
        refuse_unconvertible(parts.path, settings)
    elif source.type == "s3":
        bucket, key = parse_s3(source.uri)
        _check_bucket(bucket, settings)
        refuse_unconvertible(key, settings)
    elif source.type == "hf":
        if not _REPO.match(source.uri):
            raise InvalidInput("source.uri", "must be a Hugging Face repo id like owner/name")
        if source.revision is not None and not _REVISION.match(source.revision):
            raise InvalidInput("source.revision", "is not a valid revision")
        if source.subfolder:
            safety.check_path(source.subfolder, "source.subfolder")
    elif source.type == "upload":
        if not _UPLOAD_ID.match(source.uri):
            raise InvalidInput("source.uri", "must be an upload id from POST /v1/models/uploads")
    elif source.type == "training":  # a training's result is registered by the jobs service, never imported
        raise InvalidInput("source.type", "a training's model is registered when the training succeeds")
    if source.type != "hf" and source.subfolder:
        raise InvalidInput("source.subfolder", "only applies to Hugging Face imports")


def refuse_unconvertible(name: str, settings: RegistrySettings, field: str = "source.uri") -> None:
    """A pickled name is refused unless it is a checkpoint the import converts (EASEL_CONVERT_PICKLES)."""
    if not (settings.convert_pickles and safety.is_convertible_name(name)):
        safety.refuse_pickled_name(name, field)


def single_file_name(name: str, settings: RegistrySettings) -> str:
    """The path a single downloaded file is kept under: its own name when safe and kept, else a plain one."""
    kept = name.endswith(".safetensors") or (settings.convert_pickles and safety.is_convertible_name(name))
    return name if kept and _safe_name(name) else "model.safetensors"


def upload_key(tenant_id: str, user_id: str, upload_id: str) -> str:
    """Where the gateway puts an upload: under the tenant and the uploader, so no one else can import it."""
    return f"{tenant_id}/uploads/{user_id}/{upload_id}"


# --- HTTP ---------------------------------------------------------------------------------------------------------


async def resolve_public(host: str, port: int, allow_hosts: Iterable[str]) -> str | None:
    """The address to connect to (None: an allow-listed host); refuses non-public targets (easel_common.egress)."""
    return await egress.resolve_public(
        host, port, allow_hosts, field="source.uri",
        hint="imports may only reach public hosts (or hosts on EASEL_IMPORT_ALLOW_HOSTS)")


async def fetch_http(uri: str, settings: RegistrySettings, dest: Path, progress: Progress) -> Fetched:
    """GET a single file, following at most import_max_redirects redirects, each hop checked again."""
    url = httpx.URL(uri)
    timeout = httpx.Timeout(settings.import_read_timeout_s, connect=settings.import_connect_timeout_s)
    # trust_env=False: a proxy from the environment would connect on our behalf and bypass the checks
    async with httpx.AsyncClient(timeout=timeout, follow_redirects=False, trust_env=False) as client:
        for _hop in range(settings.import_max_redirects + 1):
            if url.scheme not in ("http", "https") or not url.host:
                raise InvalidInput("source.uri", "redirected to something other than an http(s) URL")
            refuse_unconvertible(url.path, settings)
            address = await resolve_public(url.host, url.port or (443 if url.scheme == "https" else 80),
                                           settings.import_allow_hosts)
            target, headers, extensions = egress.pinned(url, address)
            request = client.build_request("GET", target, headers=headers, extensions=extensions)
            try:
                response = await client.send(request, stream=True)
            except httpx.TimeoutException:
                raise InvalidInput("source.uri", f"{url.host} did not answer in time") from None
            except httpx.HTTPError as exc:
                raise InvalidInput("source.uri", f"could not fetch from {url.host}: {type(exc).__name__}") from None
            try:
                if response.is_redirect:
                    location = response.headers.get("location")
                    if not location:
                        raise InvalidInput("source.uri", "a redirect without a Location")
                    url = url.join(location)
                    continue
                if response.status_code != 200:
                    raise InvalidInput("source.uri", f"{url.host} answered {response.status_code}")
                return await _stream_to(response, url, settings, dest, progress)
            finally:
                await response.aclose()
    raise InvalidInput("source.uri", f"more than {settings.import_max_redirects} redirects")


async def _stream_to(response: httpx.Response, url: httpx.URL, settings: RegistrySettings, dest: Path,
                     progress: Progress) -> Fetched:
    declared = response.headers.get("content-length")
    if declared and declared.isdigit():
        if int(declared) > settings.import_max_bytes:
            raise InvalidInput("source", f"the model is larger than the import limit of "
                                         f"{settings.import_max_bytes} bytes")
        progress.total = int(declared)
    path = single_file_name(PurePosixPath(url.path).name, settings)
    sink = Sink(dest / path, progress, settings.import_max_bytes, allow_pickle=safety.is_convertible_name(path))
    try:
        try:
            async for chunk in response.aiter_bytes(CHUNK):
                sink.write(chunk)
        except httpx.TimeoutException:
            raise InvalidInput("source.uri", f"{url.host} stopped sending") from None
        except httpx.HTTPError as exc:
            raise InvalidInput("source.uri", f"the download broke off: {type(exc).__name__}") from None
    except BaseException:
        sink.abort()
        raise
    fetched = sink.close(path)
    if declared and declared.isdigit() and fetched.size != int(declared):
        raise InvalidInput("source", f"got {fetched.size} bytes, the server announced {declared}")
    return fetched


def _safe_name(name: str) -> bool:
    try:
        safety.check_path(name)
    except InvalidInput:
        return False
    return True


# --- S3 -----------------------------------------------------------------------------------------------------------


def parse_s3(uri: str) -> tuple[str, str]:
    if not uri.startswith("s3://"):
        raise InvalidInput("source.uri", "must be an s3://bucket/key URI")
    bucket, _, key = uri[5:].partition("/")
    if not _BUCKET.match(bucket) or not key:
        raise InvalidInput("source.uri", "must be an s3://bucket/key URI")
    safety.check_path(key.removesuffix("/"), "source.uri")
    return bucket, key


def _check_bucket(bucket: str, settings: RegistrySettings) -> None:
    if settings.store == "s3" and bucket == settings.s3_bucket:
        raise InvalidInput("source.uri", "imports cannot read Easel's own bucket")
    if "*" not in settings.import_allow_buckets and bucket not in settings.import_allow_buckets:
        raise InvalidInput("source.uri", f"bucket {bucket!r} is not on EASEL_IMPORT_ALLOW_BUCKETS")


def _s3_client(settings: RegistrySettings) -> Any:
    import boto3
    from botocore.config import Config

    secret = settings.s3_secret_access_key
    return boto3.client(
        "s3", endpoint_url=settings.s3_endpoint_url, region_name=settings.s3_region,
        aws_access_key_id=settings.s3_access_key_id,
        aws_secret_access_key=secret.get_secret_value() if secret is not None else None,
        config=Config(connect_timeout=settings.import_connect_timeout_s, read_timeout=settings.import_read_timeout_s,
                      retries={"mode": "standard", "max_attempts": 3},
                      s3={"addressing_style": "path"} if settings.s3_endpoint_url else None),
    )


def keep_in_folder(paths: list[str]) -> list[str]:
    """The files a folder import keeps; a folder whose only weights are pickles is refused."""
    kept = [p for p in paths if p.lower().endswith(safety.KEPT_SUFFIXES)]
    folders_with_safetensors = {str(PurePosixPath(p).parent) for p in kept if p.endswith(".safetensors")}
    for p in paths:
        if safety.is_pickled_name(p) and str(PurePosixPath(p).parent) not in folders_with_safetensors:
            safety.refuse_pickled_name(p)
    if not folders_with_safetensors:
        raise InvalidInput("source", "the folder holds no .safetensors weights")
    return kept


def fetch_s3(uri: str, settings: RegistrySettings, dest: Path, progress: Progress) -> list[Fetched]:
    """Blocking: copy one object, or every kept object under a prefix ending in '/'."""
    from botocore.exceptions import BotoCoreError, ClientError

    bucket, key = parse_s3(uri)
    _check_bucket(bucket, settings)
    client = _s3_client(settings)
    try:
        if key.endswith("/"):
            sizes: dict[str, int] = {}
            for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=key):
                for obj in page.get("Contents", []):
                    rel = obj["Key"][len(key):]
                    if rel and not rel.endswith("/"):
                        sizes[safety.check_path(rel)] = obj["Size"]
            if not sizes:
                raise NotFound(f"nothing under {uri}", uri=uri)
            kept = keep_in_folder(sorted(sizes))
            progress.total = sum(sizes[p] for p in kept)
            if progress.total > settings.import_max_bytes:
                raise InvalidInput("source", f"the model is larger than the import limit of "
                                             f"{settings.import_max_bytes} bytes")
            return [_get_object(client, bucket, key + rel, rel, settings, dest, progress) for rel in kept]
        path = single_file_name(PurePosixPath(key).name, settings)
        return [_get_object(client, bucket, key, path, settings, dest, progress, single=True)]
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", ""))
        if code in ("NoSuchKey", "404", "NotFound", "NoSuchBucket"):
            raise InvalidInput("source.uri", f"{uri} does not exist") from None
        raise InvalidInput("source.uri", f"could not read {uri}: {code or 'S3 error'}") from None
    except BotoCoreError as exc:
        raise InvalidInput("source.uri", f"could not read {uri}: {type(exc).__name__}") from None
    finally:
        client.close()


def _get_object(client: Any, bucket: str, key: str, path: str, settings: RegistrySettings, dest: Path,
                progress: Progress, single: bool = False) -> Fetched:
    obj = client.get_object(Bucket=bucket, Key=key)
    if single:
        progress.total = obj.get("ContentLength")
    convertible = single and safety.is_convertible_name(path)
    sink = Sink(dest / path, progress, settings.import_max_bytes, allow_pickle=convertible)
    try:
        body = obj["Body"]
        while chunk := body.read(CHUNK):
            sink.write(chunk)
    except BaseException:
        sink.abort()
        raise
    return sink.close(path)


# --- Hugging Face -------------------------------------------------------------------------------------------------

HF_PATTERNS = ("*.safetensors", "*.json", "*.txt")


def fetch_hf(source: ModelSource, settings: RegistrySettings, dest: Path, progress: Progress) -> list[Fetched]:
    """Blocking: a snapshot of the repo's safetensors, configs and tokenizer files (never its pickles)."""
    import httpx2  # huggingface_hub's HTTP client
    from huggingface_hub import HfApi, snapshot_download
    from huggingface_hub.errors import (
        HfHubHTTPError,
        LocalEntryNotFoundError,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )

    sub = (source.subfolder or "").strip("/")
    prefix = f"{sub}/" if sub else ""
    try:
        endpoint = settings.hf_endpoint.rstrip("/")
        info = HfApi(endpoint=endpoint, token=source.token or False).model_info(
            source.uri, revision=source.revision, files_metadata=True)
        siblings = {s.rfilename: s.size or 0 for s in info.siblings or [] if s.rfilename.startswith(prefix)}
        if not siblings:
            raise InvalidInput("source", f"nothing in {source.uri} under {sub or '/'}")
        kept = keep_in_folder(sorted(p[len(prefix):] for p in siblings))
        for rel in kept:
            safety.check_path(rel)
        progress.total = sum(siblings[prefix + p] for p in kept)
        if progress.total > settings.import_max_bytes:
            raise InvalidInput("source", f"the model is larger than the import limit of "
                                         f"{settings.import_max_bytes} bytes")
        local = dest / "hf"
        snapshot_download(source.uri, revision=info.sha, token=source.token or False, local_dir=local,
                          allow_patterns=[prefix + p for p in kept], endpoint=endpoint)
    except (RepositoryNotFoundError, RevisionNotFoundError):
        raise InvalidInput("source.uri", f"{source.uri} (revision {source.revision or 'main'}) was not found or "
                                         "needs a token") from None
    except HfHubHTTPError as exc:
        raise InvalidInput("source.uri", f"the hub refused: {str(exc).splitlines()[0][:200]}") from None
    except (LocalEntryNotFoundError, OSError, httpx2.HTTPError) as exc:  # no answer: down, DNS, timeouts
        raise InvalidInput("source.uri", f"could not reach the Hugging Face Hub at {settings.hf_endpoint}: "
                                         f"{type(exc).__name__}") from None
    out = []
    for rel in kept:
        file = local / prefix / rel
        head = file.open("rb").read(8)
        safety.refuse_pickled_content(head)
        size, digest = hash_file(file, progress)
        out.append(Fetched(rel, file, size, digest))
    return out


# --- upload -------------------------------------------------------------------------------------------------------


async def fetch_upload(key: str, store: ObjectStore, dest: Path, progress: Progress,
                       convert: bool = False) -> Fetched:
    """The file the gateway streamed into the store for this user; an upload has no name, so a pickled
    checkpoint is known by its first bytes and, with `convert`, kept as model.ckpt for conversion."""
    local = dest / "model.safetensors"
    local.parent.mkdir(parents=True, exist_ok=True)
    try:
        await store.get_file(key, local)
    except NotFound:
        raise InvalidInput("source.uri", "no such upload (it must be PUT before it is imported)") from None
    with open(local, "rb") as f:
        pickled = safety.looks_pickled(f.read(8))
    if pickled and not convert:
        raise InvalidInput("source", safety.PICKLE_REFUSED)
    path = "model.ckpt" if pickled else "model.safetensors"
    local = local.rename(dest / path)
    progress.total = local.stat().st_size
    size, digest = await asyncio.to_thread(hash_file, local, progress)
    return Fetched(path, local, size, digest, pickled=pickled)
