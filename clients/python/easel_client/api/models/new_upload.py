from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.upload import Upload
from ...types import Response


def _get_kwargs() -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/models/uploads",
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ErrorBody | Upload | None:
    if response.status_code == 201:
        response_201 = Upload.from_dict(response.json())

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[ErrorBody | Upload]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
) -> Response[ErrorBody | Upload]:
    """New Upload

     An upload id; PUT the file's bytes to the url (or, with an S3 store, POST them with `form` straight
    to the
    bucket), then import with source {type: upload, uri: upload_id}. Refused (429,
    `tenant.storage_bytes`) while the
    tenant is at its storage limit; an upload not imported within EASEL_UPLOAD_ABANDON_S (24 h) is
    removed.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | Upload]
    """

    kwargs = _get_kwargs()

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
) -> ErrorBody | Upload | None:
    """New Upload

     An upload id; PUT the file's bytes to the url (or, with an S3 store, POST them with `form` straight
    to the
    bucket), then import with source {type: upload, uri: upload_id}. Refused (429,
    `tenant.storage_bytes`) while the
    tenant is at its storage limit; an upload not imported within EASEL_UPLOAD_ABANDON_S (24 h) is
    removed.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | Upload
    """

    return sync_detailed(
        client=client,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
) -> Response[ErrorBody | Upload]:
    """New Upload

     An upload id; PUT the file's bytes to the url (or, with an S3 store, POST them with `form` straight
    to the
    bucket), then import with source {type: upload, uri: upload_id}. Refused (429,
    `tenant.storage_bytes`) while the
    tenant is at its storage limit; an upload not imported within EASEL_UPLOAD_ABANDON_S (24 h) is
    removed.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | Upload]
    """

    kwargs = _get_kwargs()

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
) -> ErrorBody | Upload | None:
    """New Upload

     An upload id; PUT the file's bytes to the url (or, with an S3 store, POST them with `form` straight
    to the
    bucket), then import with source {type: upload, uri: upload_id}. Refused (429,
    `tenant.storage_bytes`) while the
    tenant is at its storage limit; an upload not imported within EASEL_UPLOAD_ABANDON_S (24 h) is
    removed.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | Upload
    """

    return (
        await asyncio_detailed(
            client=client,
        )
    ).parsed
