from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.model_info import ModelInfo
from ...models.model_patch import ModelPatch
from ...types import UNSET, Response, Unset


def _get_kwargs(
    model_id: str,
    *,
    body: ModelPatch,
    tenant: None | str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    params: dict[str, Any] = {}

    json_tenant: None | str | Unset
    if isinstance(tenant, Unset):
        json_tenant = UNSET
    else:
        json_tenant = tenant
    params["tenant"] = json_tenant

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "patch",
        "url": "/v1/models/{model_id}".format(
            model_id=quote(str(model_id), safe=""),
        ),
        "params": params,
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ErrorBody | ModelInfo | None:
    if response.status_code == 200:
        response_200 = ModelInfo.from_dict(response.json())

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
) -> Response[ErrorBody | ModelInfo]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    model_id: str,
    *,
    client: AuthenticatedClient,
    body: ModelPatch,
    tenant: None | str | Unset = UNSET,
) -> Response[ErrorBody | ModelInfo]:
    """Update Model

     Rename, share (visibility roles or public needs models:share) or change the metadata; with `tenant`,
    the
    platform admin shares a model of that tenant (audited with the tenant as `model_tenant`).

    Args:
        model_id (str):
        tenant (None | str | Unset): The model's tenant when it is another's: the platform admin's
            (tenants:manage), who may change its visibility and shared_roles (roles of that tenant)
            only
        body (ModelPatch):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | ModelInfo]
    """

    kwargs = _get_kwargs(
        model_id=model_id,
        body=body,
        tenant=tenant,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    model_id: str,
    *,
    client: AuthenticatedClient,
    body: ModelPatch,
    tenant: None | str | Unset = UNSET,
) -> ErrorBody | ModelInfo | None:
    """Update Model

     Rename, share (visibility roles or public needs models:share) or change the metadata; with `tenant`,
    the
    platform admin shares a model of that tenant (audited with the tenant as `model_tenant`).

    Args:
        model_id (str):
        tenant (None | str | Unset): The model's tenant when it is another's: the platform admin's
            (tenants:manage), who may change its visibility and shared_roles (roles of that tenant)
            only
        body (ModelPatch):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | ModelInfo
    """

    return sync_detailed(
        model_id=model_id,
        client=client,
        body=body,
        tenant=tenant,
    ).parsed


async def asyncio_detailed(
    model_id: str,
    *,
    client: AuthenticatedClient,
    body: ModelPatch,
    tenant: None | str | Unset = UNSET,
) -> Response[ErrorBody | ModelInfo]:
    """Update Model

     Rename, share (visibility roles or public needs models:share) or change the metadata; with `tenant`,
    the
    platform admin shares a model of that tenant (audited with the tenant as `model_tenant`).

    Args:
        model_id (str):
        tenant (None | str | Unset): The model's tenant when it is another's: the platform admin's
            (tenants:manage), who may change its visibility and shared_roles (roles of that tenant)
            only
        body (ModelPatch):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | ModelInfo]
    """

    kwargs = _get_kwargs(
        model_id=model_id,
        body=body,
        tenant=tenant,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    model_id: str,
    *,
    client: AuthenticatedClient,
    body: ModelPatch,
    tenant: None | str | Unset = UNSET,
) -> ErrorBody | ModelInfo | None:
    """Update Model

     Rename, share (visibility roles or public needs models:share) or change the metadata; with `tenant`,
    the
    platform admin shares a model of that tenant (audited with the tenant as `model_tenant`).

    Args:
        model_id (str):
        tenant (None | str | Unset): The model's tenant when it is another's: the platform admin's
            (tenants:manage), who may change its visibility and shared_roles (roles of that tenant)
            only
        body (ModelPatch):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | ModelInfo
    """

    return (
        await asyncio_detailed(
            model_id=model_id,
            client=client,
            body=body,
            tenant=tenant,
        )
    ).parsed
