from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.pool_change import PoolChange
from ...types import UNSET, Response, Unset


def _get_kwargs(
    name: str,
    *,
    move_to: None | str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_move_to: None | str | Unset
    if isinstance(move_to, Unset):
        json_move_to = UNSET
    else:
        json_move_to = move_to
    params["move_to"] = json_move_to

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "delete",
        "url": "/v1/pools/{name}".format(
            name=quote(str(name), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ErrorBody | PoolChange | None:
    if response.status_code == 200:
        response_200 = PoolChange.from_dict(response.json())

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

    if response.status_code == 409:
        response_409 = ErrorBody.from_dict(response.json())

        return response_409

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
) -> Response[ErrorBody | PoolChange]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    name: str,
    *,
    client: AuthenticatedClient,
    move_to: None | str | Unset = UNSET,
) -> Response[ErrorBody | PoolChange]:
    """Delete Pool

     Delete a pool made here; its queued jobs move to `move_to`, or fail. Jobs already running finish.

    Args:
        name (str):
        move_to (None | str | Unset): Move the pool's queued jobs here; unset: they fail, saying
            why

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | PoolChange]
    """

    kwargs = _get_kwargs(
        name=name,
        move_to=move_to,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    name: str,
    *,
    client: AuthenticatedClient,
    move_to: None | str | Unset = UNSET,
) -> ErrorBody | PoolChange | None:
    """Delete Pool

     Delete a pool made here; its queued jobs move to `move_to`, or fail. Jobs already running finish.

    Args:
        name (str):
        move_to (None | str | Unset): Move the pool's queued jobs here; unset: they fail, saying
            why

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | PoolChange
    """

    return sync_detailed(
        name=name,
        client=client,
        move_to=move_to,
    ).parsed


async def asyncio_detailed(
    name: str,
    *,
    client: AuthenticatedClient,
    move_to: None | str | Unset = UNSET,
) -> Response[ErrorBody | PoolChange]:
    """Delete Pool

     Delete a pool made here; its queued jobs move to `move_to`, or fail. Jobs already running finish.

    Args:
        name (str):
        move_to (None | str | Unset): Move the pool's queued jobs here; unset: they fail, saying
            why

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | PoolChange]
    """

    kwargs = _get_kwargs(
        name=name,
        move_to=move_to,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    name: str,
    *,
    client: AuthenticatedClient,
    move_to: None | str | Unset = UNSET,
) -> ErrorBody | PoolChange | None:
    """Delete Pool

     Delete a pool made here; its queued jobs move to `move_to`, or fail. Jobs already running finish.

    Args:
        name (str):
        move_to (None | str | Unset): Move the pool's queued jobs here; unset: they fail, saying
            why

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | PoolChange
    """

    return (
        await asyncio_detailed(
            name=name,
            client=client,
            move_to=move_to,
        )
    ).parsed
