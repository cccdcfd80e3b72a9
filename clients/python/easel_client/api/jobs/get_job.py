from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.job_record import JobRecord
from ...types import UNSET, Response, Unset


def _get_kwargs(
    job_id: str,
    *,
    links: bool | Unset = False,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["links"] = links

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/jobs/{job_id}".format(
            job_id=quote(str(job_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ErrorBody | JobRecord | None:
    if response.status_code == 200:
        response_200 = JobRecord.from_dict(response.json())

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


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ErrorBody | JobRecord]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    job_id: str,
    *,
    client: AuthenticatedClient,
    links: bool | Unset = False,
) -> Response[ErrorBody | JobRecord]:
    """Get Job

    Args:
        job_id (str):
        links (bool | Unset): Give each image a time-limited `link` that needs no credential
            (EASEL_IMAGE_LINK_TTL_S) Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | JobRecord]
    """

    kwargs = _get_kwargs(
        job_id=job_id,
        links=links,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    job_id: str,
    *,
    client: AuthenticatedClient,
    links: bool | Unset = False,
) -> ErrorBody | JobRecord | None:
    """Get Job

    Args:
        job_id (str):
        links (bool | Unset): Give each image a time-limited `link` that needs no credential
            (EASEL_IMAGE_LINK_TTL_S) Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | JobRecord
    """

    return sync_detailed(
        job_id=job_id,
        client=client,
        links=links,
    ).parsed


async def asyncio_detailed(
    job_id: str,
    *,
    client: AuthenticatedClient,
    links: bool | Unset = False,
) -> Response[ErrorBody | JobRecord]:
    """Get Job

    Args:
        job_id (str):
        links (bool | Unset): Give each image a time-limited `link` that needs no credential
            (EASEL_IMAGE_LINK_TTL_S) Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | JobRecord]
    """

    kwargs = _get_kwargs(
        job_id=job_id,
        links=links,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    job_id: str,
    *,
    client: AuthenticatedClient,
    links: bool | Unset = False,
) -> ErrorBody | JobRecord | None:
    """Get Job

    Args:
        job_id (str):
        links (bool | Unset): Give each image a time-limited `link` that needs no credential
            (EASEL_IMAGE_LINK_TTL_S) Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | JobRecord
    """

    return (
        await asyncio_detailed(
            job_id=job_id,
            client=client,
            links=links,
        )
    ).parsed
