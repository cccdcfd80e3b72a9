from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.job_record import JobRecord
from ...models.merge_request import MergeRequest
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: MergeRequest,
    idempotency_key: None | str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["idempotency-key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/models/merge",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ErrorBody | JobRecord | None:
    if response.status_code == 200:
        response_200 = JobRecord.from_dict(response.json())

        return response_200

    if response.status_code == 201:
        response_201 = JobRecord.from_dict(response.json())

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
) -> Response[ErrorBody | JobRecord]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: MergeRequest,
    idempotency_key: None | str | Unset = UNSET,
) -> Response[ErrorBody | JobRecord]:
    """Merge Models

     Merge checkpoints as the web UI's Checkpoint Merger does (Weighted sum A*(1-M)+B*M, Add difference
    A+(B-C)*M, No interpolation; save_as_half, bake_in_vae, discard_weights, custom_name), with its
    field names.
    Needs models:write and jobs:create. The reply is the queued job: follow it at /v1/jobs/{id}; once
    succeeded,
    `model_id` is the new model, private to the caller.

    Args:
        idempotency_key (None | str | Unset):
        body (MergeRequest): POST /v1/models/merge: the web UI's checkpoint merger, with its field
            names.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | JobRecord]
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
    body: MergeRequest,
    idempotency_key: None | str | Unset = UNSET,
) -> ErrorBody | JobRecord | None:
    """Merge Models

     Merge checkpoints as the web UI's Checkpoint Merger does (Weighted sum A*(1-M)+B*M, Add difference
    A+(B-C)*M, No interpolation; save_as_half, bake_in_vae, discard_weights, custom_name), with its
    field names.
    Needs models:write and jobs:create. The reply is the queued job: follow it at /v1/jobs/{id}; once
    succeeded,
    `model_id` is the new model, private to the caller.

    Args:
        idempotency_key (None | str | Unset):
        body (MergeRequest): POST /v1/models/merge: the web UI's checkpoint merger, with its field
            names.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | JobRecord
    """

    return sync_detailed(
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: MergeRequest,
    idempotency_key: None | str | Unset = UNSET,
) -> Response[ErrorBody | JobRecord]:
    """Merge Models

     Merge checkpoints as the web UI's Checkpoint Merger does (Weighted sum A*(1-M)+B*M, Add difference
    A+(B-C)*M, No interpolation; save_as_half, bake_in_vae, discard_weights, custom_name), with its
    field names.
    Needs models:write and jobs:create. The reply is the queued job: follow it at /v1/jobs/{id}; once
    succeeded,
    `model_id` is the new model, private to the caller.

    Args:
        idempotency_key (None | str | Unset):
        body (MergeRequest): POST /v1/models/merge: the web UI's checkpoint merger, with its field
            names.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | JobRecord]
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
    body: MergeRequest,
    idempotency_key: None | str | Unset = UNSET,
) -> ErrorBody | JobRecord | None:
    """Merge Models

     Merge checkpoints as the web UI's Checkpoint Merger does (Weighted sum A*(1-M)+B*M, Add difference
    A+(B-C)*M, No interpolation; save_as_half, bake_in_vae, discard_weights, custom_name), with its
    field names.
    Needs models:write and jobs:create. The reply is the queued job: follow it at /v1/jobs/{id}; once
    succeeded,
    `model_id` is the new model, private to the caller.

    Args:
        idempotency_key (None | str | Unset):
        body (MergeRequest): POST /v1/models/merge: the web UI's checkpoint merger, with its field
            names.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | JobRecord
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
