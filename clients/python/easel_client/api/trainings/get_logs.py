from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.training_logs import TrainingLogs
from ...types import UNSET, Response, Unset


def _get_kwargs(
    training_id: str,
    *,
    lines: int | Unset = 200,
    after: int | Unset = 0,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["lines"] = lines

    params["after"] = after

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/trainings/{training_id}/logs".format(
            training_id=quote(str(training_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | TrainingLogs | None:
    if response.status_code == 200:
        response_200 = TrainingLogs.from_dict(response.json())

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
) -> Response[ErrorBody | TrainingLogs]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    training_id: str,
    *,
    client: AuthenticatedClient,
    lines: int | Unset = 200,
    after: int | Unset = 0,
) -> Response[ErrorBody | TrainingLogs]:
    """Get Logs

     The trainer's log: its last `lines` lines, or with `after` (a `cursor`, or the id of an SSE `log`
    event)
    the first `lines` published since, oldest first, each with its time and level (`entries`). Its
    warnings,
    errors and progress lines, secrets masked, bounded (`dropped` counts what it left out). A run that
    published
    nothing (it died first, or its lines aged out) answers with the last lines of its output (`lines`
    only).

    Args:
        training_id (str):
        lines (int | Unset):  Default: 200.
        after (int | Unset):  Default: 0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | TrainingLogs]
    """

    kwargs = _get_kwargs(
        training_id=training_id,
        lines=lines,
        after=after,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    training_id: str,
    *,
    client: AuthenticatedClient,
    lines: int | Unset = 200,
    after: int | Unset = 0,
) -> ErrorBody | TrainingLogs | None:
    """Get Logs

     The trainer's log: its last `lines` lines, or with `after` (a `cursor`, or the id of an SSE `log`
    event)
    the first `lines` published since, oldest first, each with its time and level (`entries`). Its
    warnings,
    errors and progress lines, secrets masked, bounded (`dropped` counts what it left out). A run that
    published
    nothing (it died first, or its lines aged out) answers with the last lines of its output (`lines`
    only).

    Args:
        training_id (str):
        lines (int | Unset):  Default: 200.
        after (int | Unset):  Default: 0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | TrainingLogs
    """

    return sync_detailed(
        training_id=training_id,
        client=client,
        lines=lines,
        after=after,
    ).parsed


async def asyncio_detailed(
    training_id: str,
    *,
    client: AuthenticatedClient,
    lines: int | Unset = 200,
    after: int | Unset = 0,
) -> Response[ErrorBody | TrainingLogs]:
    """Get Logs

     The trainer's log: its last `lines` lines, or with `after` (a `cursor`, or the id of an SSE `log`
    event)
    the first `lines` published since, oldest first, each with its time and level (`entries`). Its
    warnings,
    errors and progress lines, secrets masked, bounded (`dropped` counts what it left out). A run that
    published
    nothing (it died first, or its lines aged out) answers with the last lines of its output (`lines`
    only).

    Args:
        training_id (str):
        lines (int | Unset):  Default: 200.
        after (int | Unset):  Default: 0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | TrainingLogs]
    """

    kwargs = _get_kwargs(
        training_id=training_id,
        lines=lines,
        after=after,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    training_id: str,
    *,
    client: AuthenticatedClient,
    lines: int | Unset = 200,
    after: int | Unset = 0,
) -> ErrorBody | TrainingLogs | None:
    """Get Logs

     The trainer's log: its last `lines` lines, or with `after` (a `cursor`, or the id of an SSE `log`
    event)
    the first `lines` published since, oldest first, each with its time and level (`entries`). Its
    warnings,
    errors and progress lines, secrets masked, bounded (`dropped` counts what it left out). A run that
    published
    nothing (it died first, or its lines aged out) answers with the last lines of its output (`lines`
    only).

    Args:
        training_id (str):
        lines (int | Unset):  Default: 200.
        after (int | Unset):  Default: 0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | TrainingLogs
    """

    return (
        await asyncio_detailed(
            training_id=training_id,
            client=client,
            lines=lines,
            after=after,
        )
    ).parsed
