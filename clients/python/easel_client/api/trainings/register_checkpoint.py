from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.model_info import ModelInfo
from ...types import Response


def _get_kwargs(
    training_id: str,
    step: int,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/trainings/{training_id}/checkpoints/{step}/register".format(
            training_id=quote(str(training_id), safe=""),
            step=quote(str(step), safe=""),
        ),
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ErrorBody | ModelInfo | None:
    if response.status_code == 201:
        response_201 = ModelInfo.from_dict(response.json())

        return response_201

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
) -> Response[ErrorBody | ModelInfo]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    training_id: str,
    step: int,
    *,
    client: AuthenticatedClient,
) -> Response[ErrorBody | ModelInfo]:
    """Register Checkpoint

     Register the model the training kept at checkpoint `step` (its record's `checkpoints`) as the
    training
    owner's private model `{name}-step{step}`: while it runs, or once it succeeded. Only its owner (or
    jobs:cancel:any
    in the tenant) may; asked again, the same model comes back.

    Args:
        training_id (str):
        step (int):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | ModelInfo]
    """

    kwargs = _get_kwargs(
        training_id=training_id,
        step=step,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    training_id: str,
    step: int,
    *,
    client: AuthenticatedClient,
) -> ErrorBody | ModelInfo | None:
    """Register Checkpoint

     Register the model the training kept at checkpoint `step` (its record's `checkpoints`) as the
    training
    owner's private model `{name}-step{step}`: while it runs, or once it succeeded. Only its owner (or
    jobs:cancel:any
    in the tenant) may; asked again, the same model comes back.

    Args:
        training_id (str):
        step (int):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | ModelInfo
    """

    return sync_detailed(
        training_id=training_id,
        step=step,
        client=client,
    ).parsed


async def asyncio_detailed(
    training_id: str,
    step: int,
    *,
    client: AuthenticatedClient,
) -> Response[ErrorBody | ModelInfo]:
    """Register Checkpoint

     Register the model the training kept at checkpoint `step` (its record's `checkpoints`) as the
    training
    owner's private model `{name}-step{step}`: while it runs, or once it succeeded. Only its owner (or
    jobs:cancel:any
    in the tenant) may; asked again, the same model comes back.

    Args:
        training_id (str):
        step (int):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | ModelInfo]
    """

    kwargs = _get_kwargs(
        training_id=training_id,
        step=step,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    training_id: str,
    step: int,
    *,
    client: AuthenticatedClient,
) -> ErrorBody | ModelInfo | None:
    """Register Checkpoint

     Register the model the training kept at checkpoint `step` (its record's `checkpoints`) as the
    training
    owner's private model `{name}-step{step}`: while it runs, or once it succeeded. Only its owner (or
    jobs:cancel:any
    in the tenant) may; asked again, the same model comes back.

    Args:
        training_id (str):
        step (int):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | ModelInfo
    """

    return (
        await asyncio_detailed(
            training_id=training_id,
            step=step,
            client=client,
        )
    ).parsed
