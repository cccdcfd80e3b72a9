from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.training_record import TrainingRecord
from ...models.training_request import TrainingRequest
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: TrainingRequest,
    idempotency_key: None | str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["idempotency-key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/trainings",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | TrainingRecord | None:
    if response.status_code == 201:
        response_201 = TrainingRecord.from_dict(response.json())

        return response_201

    if response.status_code == 401:
        response_401 = ErrorBody.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = ErrorBody.from_dict(response.json())

        return response_403

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
) -> Response[ErrorBody | TrainingRecord]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: TrainingRequest,
    idempotency_key: None | str | Unset = UNSET,
) -> Response[ErrorBody | TrainingRecord]:
    """Create Training

     Queue a training: a method, a base checkpoint and a dataset you may use, and the run's settings.
    Every field
    is checked (a 422 naming it) before anything is recorded; the result is registered as your private
    model
    (`model_id` once `succeeded`). Needs trainings:create and pools:use:<pool>. A retry with the same
    Idempotency-Key returns the first training.

    Args:
        idempotency_key (None | str | Unset):
        body (TrainingRequest): What a user asks for (POST /v1/trainings): a method, a base model
            and a dataset by reference, and the run's settings; the gateway turns it into a
            TrainingSpec.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | TrainingRecord]
    """

    kwargs = _get_kwargs(
        body=body,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: TrainingRequest,
    idempotency_key: None | str | Unset = UNSET,
) -> ErrorBody | TrainingRecord | None:
    """Create Training

     Queue a training: a method, a base checkpoint and a dataset you may use, and the run's settings.
    Every field
    is checked (a 422 naming it) before anything is recorded; the result is registered as your private
    model
    (`model_id` once `succeeded`). Needs trainings:create and pools:use:<pool>. A retry with the same
    Idempotency-Key returns the first training.

    Args:
        idempotency_key (None | str | Unset):
        body (TrainingRequest): What a user asks for (POST /v1/trainings): a method, a base model
            and a dataset by reference, and the run's settings; the gateway turns it into a
            TrainingSpec.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | TrainingRecord
    """

    return sync_detailed(
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: TrainingRequest,
    idempotency_key: None | str | Unset = UNSET,
) -> Response[ErrorBody | TrainingRecord]:
    """Create Training

     Queue a training: a method, a base checkpoint and a dataset you may use, and the run's settings.
    Every field
    is checked (a 422 naming it) before anything is recorded; the result is registered as your private
    model
    (`model_id` once `succeeded`). Needs trainings:create and pools:use:<pool>. A retry with the same
    Idempotency-Key returns the first training.

    Args:
        idempotency_key (None | str | Unset):
        body (TrainingRequest): What a user asks for (POST /v1/trainings): a method, a base model
            and a dataset by reference, and the run's settings; the gateway turns it into a
            TrainingSpec.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | TrainingRecord]
    """

    kwargs = _get_kwargs(
        body=body,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: TrainingRequest,
    idempotency_key: None | str | Unset = UNSET,
) -> ErrorBody | TrainingRecord | None:
    """Create Training

     Queue a training: a method, a base checkpoint and a dataset you may use, and the run's settings.
    Every field
    is checked (a 422 naming it) before anything is recorded; the result is registered as your private
    model
    (`model_id` once `succeeded`). Needs trainings:create and pools:use:<pool>. A retry with the same
    Idempotency-Key returns the first training.

    Args:
        idempotency_key (None | str | Unset):
        body (TrainingRequest): What a user asks for (POST /v1/trainings): a method, a base model
            and a dataset by reference, and the run's settings; the gateway turns it into a
            TrainingSpec.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | TrainingRecord
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
