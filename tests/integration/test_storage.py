"""One contract suite for the object store, run against a folder and a real S3 protocol server (moto)."""

from __future__ import annotations

import asyncio
import hashlib
import os
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import pytest_asyncio
from boto3.s3.transfer import TransferConfig
from moto.server import ThreadedMotoServer

from easel_common.settings import CommonSettings
from easel_common.storage import LocalStore, ObjectStore, S3Store, check_key, open_store
from easel_proto.errors import InvalidInput, NotFound, Unavailable

MIB = 1024 * 1024
CREDS = {"access_key_id": "testing", "secret_access_key": "testing"}
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) + b"\x00\xff" * 64
BAD_KEYS = ["../x", "/abs", "a/../../b", "a\\b", "", "a//b", "a/", "./a", "a\nb", "a\x00b"]


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def s3_store(endpoint: str, bucket: str | None = None, **kwargs: object) -> S3Store:
    # a fresh bucket per store keeps tests independent on the one shared server
    small = TransferConfig(multipart_threshold=5 * MIB, multipart_chunksize=5 * MIB, max_concurrency=4)
    options = {"create_bucket": True, "transfer": small, **CREDS, **kwargs}
    return S3Store(bucket or f"easel-{uuid.uuid4().hex[:12]}", endpoint_url=endpoint, **options)  # type: ignore[arg-type]


@pytest_asyncio.fixture(params=["local", "s3"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[ObjectStore]:
    if request.param == "local":
        backend: ObjectStore = LocalStore(tmp_path / "store")
    else:
        backend = s3_store(request.getfixturevalue("s3_endpoint"))
    yield backend
    await backend.close()


def raw_s3(endpoint: str) -> Any:
    """A plain client to look at what the store really wrote."""
    return boto3.client(
        "s3", endpoint_url=endpoint, region_name="us-east-1",
        aws_access_key_id="testing", aws_secret_access_key="testing",
    )


# -- the contract, for both backends --


@pytest.mark.asyncio
async def test_round_trip_binary_and_overwrite(store: ObjectStore) -> None:
    key = "t1/u1/jobs/j1/0.png"
    await store.put(key, PNG, "image/png")
    assert await store.get(key) == PNG
    await store.put(key, b"second")
    assert await store.get(key) == b"second"
    assert await store.healthy()


@pytest.mark.asyncio
async def test_missing_key(store: ObjectStore) -> None:
    with pytest.raises(NotFound, match="not found"):
        await store.get("t1/u1/nope.png")
    assert not await store.exists("t1/u1/nope.png")
    await store.delete("t1/u1/nope.png")  # not an error


@pytest.mark.asyncio
async def test_exists_and_delete(store: ObjectStore) -> None:
    await store.put("t1/u1/a.bin", b"a")
    assert await store.exists("t1/u1/a.bin")
    assert not await store.exists("t1/u1/a")  # a prefix of a key is not an object
    await store.delete("t1/u1/a.bin")
    assert not await store.exists("t1/u1/a.bin")
    with pytest.raises(NotFound):
        await store.get("t1/u1/a.bin")


@pytest.mark.asyncio
async def test_list_only_keys_under_prefix(store: ObjectStore) -> None:
    keys = ["t1/u1/a", "t1/u1/jobs/j/0.png", "t1/u1/jobs/j/1.png", "t1/u10/a", "t1/u2/b", "t2/u1/a"]
    await asyncio.gather(*(store.put(k, k.encode()) for k in keys))
    assert await store.list("t1/u1/") == ["t1/u1/a", "t1/u1/jobs/j/0.png", "t1/u1/jobs/j/1.png"]
    assert await store.list("t1/u1/jobs/j/") == ["t1/u1/jobs/j/0.png", "t1/u1/jobs/j/1.png"]
    assert await store.list("t1/u1") == sorted(k for k in keys if k.startswith("t1/u1"))  # string prefix, as S3
    assert await store.list("t1/") == sorted(keys[:5])
    assert await store.list("t9/") == []
    assert await store.list("") == sorted(keys)
    for bad in ["../", "/t1/", "t1//", "/"]:
        with pytest.raises(InvalidInput) as info:
            await store.list(bad)
        assert info.value.details["field"] == "prefix"


@pytest.mark.asyncio
@pytest.mark.parametrize("key", BAD_KEYS)
async def test_bad_keys_rejected(store: ObjectStore, key: str, tmp_path: Path) -> None:
    src = tmp_path / "src.bin"
    src.write_bytes(b"x")
    calls = [
        store.put(key, b"x"), store.get(key), store.exists(key), store.delete(key),
        store.put_file(key, src), store.get_file(key, tmp_path / "dst.bin"),
    ]
    for call in calls:
        with pytest.raises(InvalidInput) as info:
            await call
        assert info.value.details["field"] == "key"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["src.bin"]  # nothing written anywhere
    assert await store.list("") == []


@pytest.mark.asyncio
async def test_large_file_round_trip(store: ObjectStore, tmp_path: Path) -> None:
    src = tmp_path / "weights.safetensors"
    src.write_bytes(os.urandom(12 * MIB + 123))  # 3 parts of 5 MiB on S3
    await store.put_file("t1/u1/models/m.safetensors", src)
    dst = tmp_path / "out" / "m.safetensors"
    await store.get_file("t1/u1/models/m.safetensors", dst)
    assert hashlib.sha256(dst.read_bytes()).digest() == hashlib.sha256(src.read_bytes()).digest()
    assert sorted(p.name for p in dst.parent.iterdir()) == ["m.safetensors"]  # no temp left behind


@pytest.mark.asyncio
async def test_get_file_missing_leaves_nothing(store: ObjectStore, tmp_path: Path) -> None:
    dst = tmp_path / "out" / "x.bin"
    with pytest.raises(NotFound):
        await store.get_file("t1/u1/missing.bin", dst)
    assert not dst.exists()
    assert not dst.parent.exists() or list(dst.parent.iterdir()) == []  # no temp left behind


@pytest.mark.asyncio
async def test_get_file_keeps_old_destination_on_failure(store: ObjectStore, tmp_path: Path) -> None:
    dst = tmp_path / "x.bin"
    dst.write_bytes(b"old")
    with pytest.raises(NotFound):
        await store.get_file("t1/u1/missing.bin", dst)
    assert dst.read_bytes() == b"old"


@pytest.mark.asyncio
async def test_put_file_missing_source_creates_nothing(store: ObjectStore, tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        await store.put_file("t1/u1/x.bin", tmp_path / "absent.bin")
    assert not await store.exists("t1/u1/x.bin")
    assert await store.list("") == []


# -- backend specifics --


def test_check_key_accepts_normal_keys() -> None:
    assert check_key("t1/u1/jobs/0123abcd/0.png") == "t1/u1/jobs/0123abcd/0.png"
    assert check_key("t1/u 1/ünïcode.png")
    with pytest.raises(InvalidInput, match="key"):
        check_key("a" * 1025)


@pytest.mark.asyncio
async def test_local_symlink_cannot_escape_root(tmp_path: Path) -> None:
    root, outside = tmp_path / "store", tmp_path / "outside"
    (root / "t1").mkdir(parents=True)
    outside.mkdir()
    (root / "t1" / "link").symlink_to(outside, target_is_directory=True)
    store = LocalStore(root)
    with pytest.raises(InvalidInput, match="key"):
        await store.put("t1/link/x", b"x")
    with pytest.raises(InvalidInput, match="key"):
        await store.get("t1/link/x")
    assert list(outside.iterdir()) == []


@pytest.mark.asyncio
async def test_local_writes_are_atomic_files(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "store")
    assert await store.healthy()
    await store.put("t1/u1/a.png", PNG)
    assert (tmp_path / "store" / "t1" / "u1" / "a.png").read_bytes() == PNG
    assert os.listdir(tmp_path / "store" / "t1" / "u1") == ["a.png"]  # the temp file was renamed away
    # an in-flight temp file (named as the store names them) is never listed as a key
    (tmp_path / "store" / "t1" / "u1" / ".easel-tmp-abc").write_bytes(b"partial")
    assert await store.list("t1/") == ["t1/u1/a.png"]
    with pytest.raises(InvalidInput, match="key"):
        await store.put("t1/u1/a.png/b", b"x")  # a file cannot also be a folder


@pytest.mark.asyncio
async def test_s3_multipart_and_content_type(s3_endpoint: str, tmp_path: Path) -> None:
    store = s3_store(s3_endpoint)
    src = tmp_path / "big.bin"
    src.write_bytes(os.urandom(12 * MIB))
    await store.put_file("t1/u1/big.bin", src, "application/x-weights")
    await store.put("t1/u1/0.png", PNG, "image/png")
    client = raw_s3(s3_endpoint)
    big = client.head_object(Bucket=store.bucket, Key="t1/u1/big.bin")
    assert big["ETag"].strip('"').endswith("-3")  # uploaded as 3 parts
    assert big["ContentType"] == "application/x-weights"
    png = client.head_object(Bucket=store.bucket, Key="t1/u1/0.png")
    assert png["ContentType"] == "image/png"
    await store.close()


@pytest.mark.asyncio
async def test_s3_missing_bucket_is_unhealthy(s3_endpoint: str) -> None:
    store = s3_store(s3_endpoint, create_bucket=False)
    assert not await store.healthy()
    with pytest.raises(Unavailable):
        await store.get("t1/u1/a.png")
    await store.close()


@pytest.mark.asyncio
async def test_s3_unreachable_is_unavailable() -> None:
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    store = s3_store(f"http://127.0.0.1:{port}", max_attempts=1)
    assert not await store.healthy()
    with pytest.raises(Unavailable):
        await store.put("t1/u1/a.png", PNG)
    await store.close()


@pytest.mark.asyncio
async def test_open_store_local(tmp_path: Path) -> None:
    store = open_store(CommonSettings(_env_file=None, store="local", data_dir=tmp_path))
    assert isinstance(store, LocalStore)
    assert store.root == (tmp_path / "objects").resolve()
    await store.put("t1/u1/a.png", PNG)
    assert (tmp_path / "objects" / "t1" / "u1" / "a.png").read_bytes() == PNG


@pytest.mark.asyncio
async def test_open_store_s3(s3_endpoint: str, tmp_path: Path) -> None:
    settings = CommonSettings(
        _env_file=None, store="s3", data_dir=tmp_path, s3_bucket="easel-open-store",
        s3_endpoint_url=s3_endpoint, s3_access_key_id="testing", s3_secret_access_key="testing",
        s3_create_bucket=True,
    )
    store = open_store(settings)
    assert isinstance(store, S3Store) and store.bucket == "easel-open-store"
    assert await store.healthy()
    await store.put("t1/u1/a.png", PNG)
    assert await store.get("t1/u1/a.png") == PNG
    assert not (tmp_path / "objects").exists()
    await store.close()


async def test_size_of_an_object_and_of_none(store: ObjectStore) -> None:
    """What retention counts as freed: an object's size in bytes; None once it is gone."""
    await store.put("t/u/jobs/j/0.png", b"x" * 1234)
    assert await store.size("t/u/jobs/j/0.png") == 1234
    await store.delete("t/u/jobs/j/0.png")
    assert await store.size("t/u/jobs/j/0.png") is None
