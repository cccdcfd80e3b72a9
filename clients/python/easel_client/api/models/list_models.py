from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.model_list import ModelList
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    kind: None | str | Unset = UNSET,
    base: None | str | Unset = UNSET,
    all_users: bool | Unset = False,
    tenant: None | str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_kind: None | str | Unset
    if isinstance(kind, Unset):
        json_kind = UNSET
    else:
        json_kind = kind
    params["kind"] = json_kind

    json_base: None | str | Unset
    if isinstance(base, Unset):
        json_base = UNSET
    else:
        json_base = base
    params["base"] = json_base

    params["all_users"] = all_users

    json_tenant: None | str | Unset
    if isinstance(tenant, Unset):
        json_tenant = UNSET
    else:
        json_tenant = tenant
    params["tenant"] = json_tenant

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/models",
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ErrorBody | ModelList | None:
    if response.status_code == 200:
        response_200 = ModelList.from_dict(response.json())

        return response_200

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
) -> Response[ErrorBody | ModelList]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    kind: None | str | Unset = UNSET,
    base: None | str | Unset = UNSET,
    all_users: bool | Unset = False,
    tenant: None | str | Unset = UNSET,
) -> Response[ErrorBody | ModelList]:
    """List Models

     The models the caller may use: built-ins, their own, their tenant's public ones, those shared with a
    role
    (all_users: every model of the tenant with its owner and visibility, no built-ins; a tenant admin's,
    users:manage; with `tenant`, that tenant's, for the platform admin).

    Args:
        kind (None | str | Unset):
        base (None | str | Unset):
        all_users (bool | Unset):  Default: False.
        tenant (None | str | Unset): With all_users: another tenant's models (the platform
            admin's, tenants:manage)

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | ModelList]
    """

    kwargs = _get_kwargs(
        kind=kind,
        base=base,
        all_users=all_users,
        tenant=tenant,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    kind: None | str | Unset = UNSET,
    base: None | str | Unset = UNSET,
    all_users: bool | Unset = False,
    tenant: None | str | Unset = UNSET,
) -> ErrorBody | ModelList | None:
    """List Models

     The models the caller may use: built-ins, their own, their tenant's public ones, those shared with a
    role
    (all_users: every model of the tenant with its owner and visibility, no built-ins; a tenant admin's,
    users:manage; with `tenant`, that tenant's, for the platform admin).

    Args:
        kind (None | str | Unset):
        base (None | str | Unset):
        all_users (bool | Unset):  Default: False.
        tenant (None | str | Unset): With all_users: another tenant's models (the platform
            admin's, tenants:manage)

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | ModelList
    """

    return sync_detailed(
        client=client,
        kind=kind,
        base=base,
        all_users=all_users,
        tenant=tenant,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    kind: None | str | Unset = UNSET,
    base: None | str | Unset = UNSET,
    all_users: bool | Unset = False,
    tenant: None | str | Unset = UNSET,
) -> Response[ErrorBody | ModelList]:
    """List Models

     The models the caller may use: built-ins, their own, their tenant's public ones, those shared with a
    role
    (all_users: every model of the tenant with its owner and visibility, no built-ins; a tenant admin's,
    users:manage; with `tenant`, that tenant's, for the platform admin).

    Args:
        kind (None | str | Unset):
        base (None | str | Unset):
        all_users (bool | Unset):  Default: False.
        tenant (None | str | Unset): With all_users: another tenant's models (the platform
            admin's, tenants:manage)

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | ModelList]
    """

    kwargs = _get_kwargs(
        kind=kind,
        base=base,
        all_users=all_users,
        tenant=tenant,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    kind: None | str | Unset = UNSET,
    base: None | str | Unset = UNSET,
    all_users: bool | Unset = False,
    tenant: None | str | Unset = UNSET,
) -> ErrorBody | ModelList | None:
    """List Models

     The models the caller may use: built-ins, their own, their tenant's public ones, those shared with a
    role
    (all_users: every model of the tenant with its owner and visibility, no built-ins; a tenant admin's,
    users:manage; with `tenant`, that tenant's, for the platform admin).

    Args:
        kind (None | str | Unset):
        base (None | str | Unset):
        all_users (bool | Unset):  Default: False.
        tenant (None | str | Unset): With all_users: another tenant's models (the platform
            admin's, tenants:manage)

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | ModelList
    """

    return (
        await asyncio_detailed(
            client=client,
            kind=kind,
            base=base,
            all_users=all_users,
            tenant=tenant,
        )
    ).parsed
