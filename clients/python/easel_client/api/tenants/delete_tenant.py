from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.deleted_tenant import DeletedTenant
from ...models.error_body import ErrorBody
from ...types import UNSET, Response, Unset


def _get_kwargs(
    tenant_id: str,
    *,
    purge: bool | Unset = False,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["purge"] = purge

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "delete",
        "url": "/v1/tenants/{tenant_id}".format(
            tenant_id=quote(str(tenant_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> DeletedTenant | ErrorBody | None:
    if response.status_code == 200:
        response_200 = DeletedTenant.from_dict(response.json())

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
) -> Response[DeletedTenant | ErrorBody]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    tenant_id: str,
    *,
    client: AuthenticatedClient,
    purge: bool | Unset = False,
) -> Response[DeletedTenant | ErrorBody]:
    """Delete Tenant

     Delete an empty tenant (else 409 naming what remains), or with `purge=true` everything in it.

    Args:
        tenant_id (str):
        purge (bool | Unset): Remove its users, jobs, models and datasets too Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DeletedTenant | ErrorBody]
    """

    kwargs = _get_kwargs(
        tenant_id=tenant_id,
        purge=purge,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    tenant_id: str,
    *,
    client: AuthenticatedClient,
    purge: bool | Unset = False,
) -> DeletedTenant | ErrorBody | None:
    """Delete Tenant

     Delete an empty tenant (else 409 naming what remains), or with `purge=true` everything in it.

    Args:
        tenant_id (str):
        purge (bool | Unset): Remove its users, jobs, models and datasets too Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DeletedTenant | ErrorBody
    """

    return sync_detailed(
        tenant_id=tenant_id,
        client=client,
        purge=purge,
    ).parsed


async def asyncio_detailed(
    tenant_id: str,
    *,
    client: AuthenticatedClient,
    purge: bool | Unset = False,
) -> Response[DeletedTenant | ErrorBody]:
    """Delete Tenant

     Delete an empty tenant (else 409 naming what remains), or with `purge=true` everything in it.

    Args:
        tenant_id (str):
        purge (bool | Unset): Remove its users, jobs, models and datasets too Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DeletedTenant | ErrorBody]
    """

    kwargs = _get_kwargs(
        tenant_id=tenant_id,
        purge=purge,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    tenant_id: str,
    *,
    client: AuthenticatedClient,
    purge: bool | Unset = False,
) -> DeletedTenant | ErrorBody | None:
    """Delete Tenant

     Delete an empty tenant (else 409 naming what remains), or with `purge=true` everything in it.

    Args:
        tenant_id (str):
        purge (bool | Unset): Remove its users, jobs, models and datasets too Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DeletedTenant | ErrorBody
    """

    return (
        await asyncio_detailed(
            tenant_id=tenant_id,
            client=client,
            purge=purge,
        )
    ).parsed
