from http import HTTPStatus
from io import BytesIO
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...types import File, Response


def _get_kwargs(
    job_id: str,
    field: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/jobs/{job_id}/inputs/{field}".format(
            job_id=quote(str(job_id), safe=""),
            field=quote(str(field), safe=""),
        ),
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ErrorBody | File | None:
    if response.status_code == 200:
        response_200 = File(payload=BytesIO(response.content))

        return response_200

    if response.status_code == 401:
        response_401 = ErrorBody.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = ErrorBody.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = ErrorBody.from_dict(response.json())

        return response_404

    if response.status_code == 410:
        response_410 = ErrorBody.from_dict(response.json())

        return response_410

    if response.status_code == 413:
        response_413 = ErrorBody.from_dict(response.json())

        return response_413

    if response.status_code == 422:
        response_422 = ErrorBody.from_dict(response.json())

        return response_422

    if response.status_code == 429:
        response_429 = ErrorBody.from_dict(response.json())

        return response_429

    if response.status_code == 503:
        response_503 = ErrorBody.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[ErrorBody | File]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    job_id: str,
    field: str,
    *,
    client: AuthenticatedClient,
) -> Response[ErrorBody | File]:
    """Get Job Input

     One of the job's own input images, as it was stored (a PNG): `init_images.N`, `mask`,
    `controlnets.N.image`
    or `controlnets.N.mask`; seen by whoever may see the job. A ControlNet unit on the init image has no
    image.

    Args:
        job_id (str):
        field (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | File]
    """

    kwargs = _get_kwargs(
        job_id=job_id,
        field=field,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    job_id: str,
    field: str,
    *,
    client: AuthenticatedClient,
) -> ErrorBody | File | None:
    """Get Job Input

     One of the job's own input images, as it was stored (a PNG): `init_images.N`, `mask`,
    `controlnets.N.image`
    or `controlnets.N.mask`; seen by whoever may see the job. A ControlNet unit on the init image has no
    image.

    Args:
        job_id (str):
        field (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | File
    """

    return sync_detailed(
        job_id=job_id,
        field=field,
        client=client,
    ).parsed


async def asyncio_detailed(
    job_id: str,
    field: str,
    *,
    client: AuthenticatedClient,
) -> Response[ErrorBody | File]:
    """Get Job Input

     One of the job's own input images, as it was stored (a PNG): `init_images.N`, `mask`,
    `controlnets.N.image`
    or `controlnets.N.mask`; seen by whoever may see the job. A ControlNet unit on the init image has no
    image.

    Args:
        job_id (str):
        field (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | File]
    """

    kwargs = _get_kwargs(
        job_id=job_id,
        field=field,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    job_id: str,
    field: str,
    *,
    client: AuthenticatedClient,
) -> ErrorBody | File | None:
    """Get Job Input

     One of the job's own input images, as it was stored (a PNG): `init_images.N`, `mask`,
    `controlnets.N.image`
    or `controlnets.N.mask`; seen by whoever may see the job. A ControlNet unit on the init image has no
    image.

    Args:
        job_id (str):
        field (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | File
    """

    return (
        await asyncio_detailed(
            job_id=job_id,
            field=field,
            client=client,
        )
    ).parsed
