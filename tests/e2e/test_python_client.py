"""The generated Python client (clients/python, easel_client) drives a txt2img job end to end, and reads Easel's
errors and the web UI's answers as the typed objects the OpenAPI declares."""

from __future__ import annotations

import asyncio
import io

from PIL import Image

from easel_client import AuthenticatedClient
from easel_client.api.jobs import create_job, get_image, get_job
from easel_client.api.web_ui import txt2img
from easel_client.models import ErrorBody, GenerationResponse, JobRecord, JobRequest, JobStatus, Txt2Img
from easel_client.types import File
from helpers import new_user

DONE = (JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELED)


async def test_the_generated_client_submits_a_txt2img_job_waits_for_it_and_fetches_its_image(api, admin_headers,
                                                                                            stack):
    user = await new_user(api, admin_headers)
    async with AuthenticatedClient(base_url=stack.gateway_url, token=user["key"], timeout=60,
                                   raise_on_unexpected_status=True) as client:
        submitted = await create_job.asyncio_detailed(
            client=client, body=JobRequest(prompt="a red fox in the snow", steps=2, width=64, height=96, seed=7))
        assert submitted.status_code == 201 and isinstance(submitted.parsed, JobRecord), submitted.content
        job = submitted.parsed
        assert job.status == JobStatus.QUEUED and job.user_id == user["id"]

        for _ in range(600):
            job = await get_job.asyncio(job.id, client=client)
            assert isinstance(job, JobRecord)
            if job.status in DONE:
                break
            await asyncio.sleep(0.2)
        assert job.status == JobStatus.SUCCEEDED, job.error
        assert [image.index for image in job.images] == [0] and job.images[0].seed == 7

        image = await get_image.asyncio(job.id, 0, client=client)
        assert isinstance(image, File)
        png = Image.open(io.BytesIO(image.payload.read()))
        assert png.format == "PNG" and png.size == (64, 96)

        # errors come back as the one error body, naming what was wrong
        missing = await get_image.asyncio(job.id, 5, client=client)
        assert isinstance(missing, ErrorBody) and missing.code == "not_found", missing
        refused = await create_job.asyncio_detailed(client=client, body=JobRequest(prompt="a fox", steps=0))
        assert refused.status_code == 422 and isinstance(refused.parsed, ErrorBody)
        assert refused.parsed.details["field"] == "steps", refused.parsed

        # the web UI's txt2img, typed as its TextToImageResponse
        answer = await txt2img.asyncio(client=client, body=Txt2Img(prompt="a fox", steps=2, width=64, height=64))
        assert isinstance(answer, GenerationResponse), answer
        assert len(answer.images) == 1 and answer.parameters["prompt"] == "a fox"

    async with AuthenticatedClient(base_url=stack.gateway_url, token="not-a-key", timeout=60) as stranger:
        denied = await get_job.asyncio_detailed(job.id, client=stranger)
        assert denied.status_code == 401 and isinstance(denied.parsed, ErrorBody)
