from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.extras_batch_images_response import ExtrasBatchImagesResponse
from ...models.extras_single_image_response import ExtrasSingleImageResponse
from ...models.generation_response import GenerationResponse
from ...models.inference import Inference
from ...models.web_ui_error_body import WebUIErrorBody
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: Inference,
    endpoint_name: None | str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    params: dict[str, Any] = {}

    json_endpoint_name: None | str | Unset
    if isinstance(endpoint_name, Unset):
        json_endpoint_name = UNSET
    else:
        json_endpoint_name = endpoint_name
    params["endpoint_name"] = json_endpoint_name

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/inference",
        "params": params,
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ExtrasBatchImagesResponse | ExtrasSingleImageResponse | GenerationResponse | WebUIErrorBody | None:
    if response.status_code == 200:

        def _parse_response_200(
            data: object,
        ) -> ExtrasBatchImagesResponse | ExtrasSingleImageResponse | GenerationResponse:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                response_200_type_0 = GenerationResponse.from_dict(data)

                return response_200_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                response_200_type_1 = ExtrasSingleImageResponse.from_dict(data)

                return response_200_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            response_200_type_2 = ExtrasBatchImagesResponse.from_dict(data)

            return response_200_type_2

        response_200 = _parse_response_200(response.json())

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
) -> Response[ExtrasBatchImagesResponse | ExtrasSingleImageResponse | GenerationResponse | WebUIErrorBody]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: Inference,
    endpoint_name: None | str | Unset = UNSET,
) -> Response[ExtrasBatchImagesResponse | ExtrasSingleImageResponse | GenerationResponse | WebUIErrorBody]:
    """Run a web UI call (txt2img, img2img, extras) on a named checkpoint and pool

    Args:
        endpoint_name (None | str | Unset):
        body (Inference): POST /inference: one of the web UI's calls, named by task, on a
            checkpoint named by `model`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ExtrasBatchImagesResponse | ExtrasSingleImageResponse | GenerationResponse | WebUIErrorBody]
    """

    kwargs = _get_kwargs(
        body=body,
        endpoint_name=endpoint_name,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: Inference,
    endpoint_name: None | str | Unset = UNSET,
) -> ExtrasBatchImagesResponse | ExtrasSingleImageResponse | GenerationResponse | WebUIErrorBody | None:
    """Run a web UI call (txt2img, img2img, extras) on a named checkpoint and pool

    Args:
        endpoint_name (None | str | Unset):
        body (Inference): POST /inference: one of the web UI's calls, named by task, on a
            checkpoint named by `model`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ExtrasBatchImagesResponse | ExtrasSingleImageResponse | GenerationResponse | WebUIErrorBody
    """

    return sync_detailed(
        client=client,
        body=body,
        endpoint_name=endpoint_name,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: Inference,
    endpoint_name: None | str | Unset = UNSET,
) -> Response[ExtrasBatchImagesResponse | ExtrasSingleImageResponse | GenerationResponse | WebUIErrorBody]:
    """Run a web UI call (txt2img, img2img, extras) on a named checkpoint and pool

    Args:
        endpoint_name (None | str | Unset):
        body (Inference): POST /inference: one of the web UI's calls, named by task, on a
            checkpoint named by `model`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ExtrasBatchImagesResponse | ExtrasSingleImageResponse | GenerationResponse | WebUIErrorBody]
    """

    kwargs = _get_kwargs(
        body=body,
        endpoint_name=endpoint_name,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: Inference,
    endpoint_name: None | str | Unset = UNSET,
) -> ExtrasBatchImagesResponse | ExtrasSingleImageResponse | GenerationResponse | WebUIErrorBody | None:
    """Run a web UI call (txt2img, img2img, extras) on a named checkpoint and pool

    Args:
        endpoint_name (None | str | Unset):
        body (Inference): POST /inference: one of the web UI's calls, named by task, on a
            checkpoint named by `model`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ExtrasBatchImagesResponse | ExtrasSingleImageResponse | GenerationResponse | WebUIErrorBody
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            endpoint_name=endpoint_name,
        )
    ).parsed
