from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.body_create_dataset import BodyCreateDataset
from ...models.dataset_info import DatasetInfo
from ...models.error_body import ErrorBody
from ...types import Response


def _get_kwargs(
    *,
    body: BodyCreateDataset,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/datasets",
    }

    _kwargs["files"] = body.to_multipart()

    headers["Content-Type"] = "multipart/form-data; boundary=+++"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> DatasetInfo | ErrorBody | None:
    if response.status_code == 201:
        response_201 = DatasetInfo.from_dict(response.json())

        return response_201

    if response.status_code == 401:
        response_401 = ErrorBody.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = ErrorBody.from_dict(response.json())

        return response_403

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
) -> Response[DatasetInfo | ErrorBody]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: BodyCreateDataset,
) -> Response[DatasetInfo | ErrorBody]:
    """Create Dataset

     Upload a dataset: `archive` (a zip), or `images` with optional `captions`. Every image must decode,
    be at
    least the registry's minimum size and within the count and size limits, or the whole upload is
    refused (422
    naming `archive` or `images.<n>`); images are stored re-encoded as PNG under your tenant.

    Args:
        body (BodyCreateDataset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DatasetInfo | ErrorBody]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: BodyCreateDataset,
) -> DatasetInfo | ErrorBody | None:
    """Create Dataset

     Upload a dataset: `archive` (a zip), or `images` with optional `captions`. Every image must decode,
    be at
    least the registry's minimum size and within the count and size limits, or the whole upload is
    refused (422
    naming `archive` or `images.<n>`); images are stored re-encoded as PNG under your tenant.

    Args:
        body (BodyCreateDataset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DatasetInfo | ErrorBody
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: BodyCreateDataset,
) -> Response[DatasetInfo | ErrorBody]:
    """Create Dataset

     Upload a dataset: `archive` (a zip), or `images` with optional `captions`. Every image must decode,
    be at
    least the registry's minimum size and within the count and size limits, or the whole upload is
    refused (422
    naming `archive` or `images.<n>`); images are stored re-encoded as PNG under your tenant.

    Args:
        body (BodyCreateDataset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DatasetInfo | ErrorBody]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: BodyCreateDataset,
) -> DatasetInfo | ErrorBody | None:
    """Create Dataset

     Upload a dataset: `archive` (a zip), or `images` with optional `captions`. Every image must decode,
    be at
    least the registry's minimum size and within the count and size limits, or the whole upload is
    refused (422
    naming `archive` or `images.<n>`); images are stored re-encoded as PNG under your tenant.

    Args:
        body (BodyCreateDataset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DatasetInfo | ErrorBody
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
