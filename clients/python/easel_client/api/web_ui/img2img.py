from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.generation_response import GenerationResponse
from ...models.img_2_img import Img2Img
from ...models.web_ui_error_body import WebUIErrorBody
from ...types import Response


def _get_kwargs(
    *,
    body: Img2Img,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/sdapi/v1/img2img",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> GenerationResponse | WebUIErrorBody | None:
    if response.status_code == 200:
        response_200 = GenerationResponse.from_dict(response.json())

        return response_200

    if response.status_code == 401:
        response_401 = WebUIErrorBody.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = WebUIErrorBody.from_dict(response.json())

        return response_403

    if response.status_code == 409:
        response_409 = WebUIErrorBody.from_dict(response.json())

        return response_409

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
) -> Response[GenerationResponse | WebUIErrorBody]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: Img2Img,
) -> Response[GenerationResponse | WebUIErrorBody]:
    """Generate from init images, inpaint with a mask (the web UI's ImageToImage)

    Args:
        body (Img2Img):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[GenerationResponse | WebUIErrorBody]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: Img2Img,
) -> GenerationResponse | WebUIErrorBody | None:
    """Generate from init images, inpaint with a mask (the web UI's ImageToImage)

    Args:
        body (Img2Img):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        GenerationResponse | WebUIErrorBody
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: Img2Img,
) -> Response[GenerationResponse | WebUIErrorBody]:
    """Generate from init images, inpaint with a mask (the web UI's ImageToImage)

    Args:
        body (Img2Img):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[GenerationResponse | WebUIErrorBody]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: Img2Img,
) -> GenerationResponse | WebUIErrorBody | None:
    """Generate from init images, inpaint with a mask (the web UI's ImageToImage)

    Args:
        body (Img2Img):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        GenerationResponse | WebUIErrorBody
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
