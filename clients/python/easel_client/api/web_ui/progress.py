from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.progress_response import ProgressResponse
from ...models.web_ui_error_body import WebUIErrorBody
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    skip_current_image: bool | Unset = False,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["skip_current_image"] = skip_current_image

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/sdapi/v1/progress",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ProgressResponse | WebUIErrorBody | None:
    if response.status_code == 200:
        response_200 = ProgressResponse.from_dict(response.json())

        return response_200

    if response.status_code == 401:
        response_401 = WebUIErrorBody.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = WebUIErrorBody.from_dict(response.json())

        return response_403

    if response.status_code == 413:
        response_413 = WebUIErrorBody.from_dict(response.json())

        return response_413

    if response.status_code == 422:
        response_422 = WebUIErrorBody.from_dict(response.json())

        return response_422

    if response.status_code == 429:
        response_429 = WebUIErrorBody.from_dict(response.json())

        return response_429

    if response.status_code == 503:
        response_503 = WebUIErrorBody.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ProgressResponse | WebUIErrorBody]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    skip_current_image: bool | Unset = False,
) -> Response[ProgressResponse | WebUIErrorBody]:
    """Progress

     How far the caller's current job is, with current_image: its latest live preview (a small, cheap
    projection
    of the latents, a grid for a batch; kept until the job ends; null before the first, or with
    skip_current_image).

    Args:
        skip_current_image (bool | Unset):  Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ProgressResponse | WebUIErrorBody]
    """

    kwargs = _get_kwargs(
        skip_current_image=skip_current_image,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    skip_current_image: bool | Unset = False,
) -> ProgressResponse | WebUIErrorBody | None:
    """Progress

     How far the caller's current job is, with current_image: its latest live preview (a small, cheap
    projection
    of the latents, a grid for a batch; kept until the job ends; null before the first, or with
    skip_current_image).

    Args:
        skip_current_image (bool | Unset):  Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ProgressResponse | WebUIErrorBody
    """

    return sync_detailed(
        client=client,
        skip_current_image=skip_current_image,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    skip_current_image: bool | Unset = False,
) -> Response[ProgressResponse | WebUIErrorBody]:
    """Progress

     How far the caller's current job is, with current_image: its latest live preview (a small, cheap
    projection
    of the latents, a grid for a batch; kept until the job ends; null before the first, or with
    skip_current_image).

    Args:
        skip_current_image (bool | Unset):  Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ProgressResponse | WebUIErrorBody]
    """

    kwargs = _get_kwargs(
        skip_current_image=skip_current_image,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    skip_current_image: bool | Unset = False,
) -> ProgressResponse | WebUIErrorBody | None:
    """Progress

     How far the caller's current job is, with current_image: its latest live preview (a small, cheap
    projection
    of the latents, a grid for a batch; kept until the job ends; null before the first, or with
    skip_current_image).

    Args:
        skip_current_image (bool | Unset):  Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ProgressResponse | WebUIErrorBody
    """

    return (
        await asyncio_detailed(
            client=client,
            skip_current_image=skip_current_image,
        )
    ).parsed
