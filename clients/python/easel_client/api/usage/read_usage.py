from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.read_usage_bucket_type_0 import ReadUsageBucketType0
from ...models.usage import Usage
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    days: int | Unset = 7,
    bucket: None | ReadUsageBucketType0 | Unset = UNSET,
    tenant: None | str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["days"] = days

    json_bucket: None | str | Unset
    if isinstance(bucket, Unset):
        json_bucket = UNSET
    elif isinstance(bucket, ReadUsageBucketType0):
        json_bucket = bucket.value
    else:
        json_bucket = bucket
    params["bucket"] = json_bucket

    json_tenant: None | str | Unset
    if isinstance(tenant, Unset):
        json_tenant = UNSET
    else:
        json_tenant = tenant
    params["tenant"] = json_tenant

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/usage",
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ErrorBody | Usage | None:
    if response.status_code == 200:
        response_200 = Usage.from_dict(response.json())

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[ErrorBody | Usage]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    days: int | Unset = 7,
    bucket: None | ReadUsageBucketType0 | Unset = UNSET,
    tenant: None | str | Unset = UNSET,
) -> Response[ErrorBody | Usage]:
    """Read Usage

     What the tenant's users used over the last `days` days, per period, user and role.

    Args:
        days (int | Unset): The window: the last `days` days Default: 7.
        bucket (None | ReadUsageBucketType0 | Unset): Per hour or day; by default per hour up to 2
            days
        tenant (None | str | Unset): Another tenant's (the platform admin's, tenants:manage)

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | Usage]
    """

    kwargs = _get_kwargs(
        days=days,
        bucket=bucket,
        tenant=tenant,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    days: int | Unset = 7,
    bucket: None | ReadUsageBucketType0 | Unset = UNSET,
    tenant: None | str | Unset = UNSET,
) -> ErrorBody | Usage | None:
    """Read Usage

     What the tenant's users used over the last `days` days, per period, user and role.

    Args:
        days (int | Unset): The window: the last `days` days Default: 7.
        bucket (None | ReadUsageBucketType0 | Unset): Per hour or day; by default per hour up to 2
            days
        tenant (None | str | Unset): Another tenant's (the platform admin's, tenants:manage)

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | Usage
    """

    return sync_detailed(
        client=client,
        days=days,
        bucket=bucket,
        tenant=tenant,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    days: int | Unset = 7,
    bucket: None | ReadUsageBucketType0 | Unset = UNSET,
    tenant: None | str | Unset = UNSET,
) -> Response[ErrorBody | Usage]:
    """Read Usage

     What the tenant's users used over the last `days` days, per period, user and role.

    Args:
        days (int | Unset): The window: the last `days` days Default: 7.
        bucket (None | ReadUsageBucketType0 | Unset): Per hour or day; by default per hour up to 2
            days
        tenant (None | str | Unset): Another tenant's (the platform admin's, tenants:manage)

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | Usage]
    """

    kwargs = _get_kwargs(
        days=days,
        bucket=bucket,
        tenant=tenant,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    days: int | Unset = 7,
    bucket: None | ReadUsageBucketType0 | Unset = UNSET,
    tenant: None | str | Unset = UNSET,
) -> ErrorBody | Usage | None:
    """Read Usage

     What the tenant's users used over the last `days` days, per period, user and role.

    Args:
        days (int | Unset): The window: the last `days` days Default: 7.
        bucket (None | ReadUsageBucketType0 | Unset): Per hour or day; by default per hour up to 2
            days
        tenant (None | str | Unset): Another tenant's (the platform admin's, tenants:manage)

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | Usage
    """

    return (
        await asyncio_detailed(
            client=client,
            days=days,
            bucket=bucket,
            tenant=tenant,
        )
    ).parsed
