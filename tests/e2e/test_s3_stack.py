"""The same stack with S3 as its object store: the worker writes images to the bucket, the gateway serves them."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Iterator

import boto3
import httpx
import pytest
from PIL import Image

from easel_stack.stack import EmbeddedStack
from helpers import new_user, s3_server_env, stack_with_env, submit, until_status

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def s3_env() -> Iterator[dict[str, str]]:
    with s3_server_env("easel-e2e") as env:
        yield env


@pytest.fixture(scope="module")
async def s3_stack(s3_env, session_dir, nats_url, database_url) -> AsyncIterator[EmbeddedStack]:
    async with stack_with_env(s3_env, data_dir=session_dir / "s3-stack",
                              database_url=database_url, worker_log=session_dir / "s3-worker.log") as stack:
        yield stack


async def test_images_go_to_the_bucket_under_the_tenant_and_come_back_through_the_gateway(s3_stack, s3_env):
    async with httpx.AsyncClient(base_url=s3_stack.gateway_url, timeout=60) as api:
        user = await new_user(api, {"Authorization": f"Bearer {s3_stack.admin_key}"})
        job = await submit(api, user["headers"], steps=2, batch_size=2, width=64, height=64)
        done = await until_status(api, job["id"], user["headers"], "succeeded", "failed")
        assert done["status"] == "succeeded", done
        r = await api.get(f"/v1/jobs/{job['id']}/images/1", headers=user["headers"])
        assert r.status_code == 200
        assert Image.open(io.BytesIO(r.content)).size == (64, 64)
        # a time-limited link is a presigned S3 URL: the bucket serves it to anyone holding it, with no key
        linked = (await api.get(f"/v1/jobs/{job['id']}", params={"links": "true"}, headers=user["headers"])).json()
        link = linked["images"][1]["link"]
        assert "Signature=" in link and linked["images"][1]["link_expires_at"]
        async with httpx.AsyncClient(timeout=30) as anyone:
            fetched = await anyone.get(link)
            assert fetched.status_code == 200 and fetched.content == r.content
    s3 = boto3.client("s3", endpoint_url=s3_env["EASEL_S3_ENDPOINT_URL"], region_name="us-east-1",
                      aws_access_key_id="testing", aws_secret_access_key="testing-secret")
    listed = s3.list_objects_v2(Bucket="easel-e2e", Prefix=f"{user['tenant_id']}/{user['id']}/jobs/{job['id']}/")
    assert sorted(o["Key"].rsplit("/", 1)[-1] for o in listed["Contents"]) == ["0.png", "1.png"]
    assert not (s3_stack.data_dir / "objects").exists()  # nothing went to the local folder
