from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.job_status import JobStatus
from ...models.list_jobs_reply import ListJobsReply
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    limit: int | Unset = 20,
    cursor: None | str | Unset = UNSET,
    status: JobStatus | None | Unset = UNSET,
    all_users: bool | Unset = False,
    links: bool | Unset = False,
    prompt: None | str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["limit"] = limit

    json_cursor: None | str | Unset
    if isinstance(cursor, Unset):
        json_cursor = UNSET
    else:
        json_cursor = cursor
    params["cursor"] = json_cursor

    json_status: None | str | Unset
    if isinstance(status, Unset):
        json_status = UNSET
    elif isinstance(status, JobStatus):
        json_status = status.value
    else:
        json_status = status
    params["status"] = json_status

    params["all_users"] = all_users

    params["links"] = links

    json_prompt: None | str | Unset
    if isinstance(prompt, Unset):
        json_prompt = UNSET
    else:
        json_prompt = prompt
    params["prompt"] = json_prompt

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/jobs",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | ListJobsReply | None:
    if response.status_code == 200:
        response_200 = ListJobsReply.from_dict(response.json())

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
) -> Response[ErrorBody | ListJobsReply]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 20,
    cursor: None | str | Unset = UNSET,
    status: JobStatus | None | Unset = UNSET,
    all_users: bool | Unset = False,
    links: bool | Unset = False,
    prompt: None | str | Unset = UNSET,
) -> Response[ErrorBody | ListJobsReply]:
    """List Jobs

     The caller's own jobs, newest first (all_users: everyone's in the tenant, with jobs:read:any);
    `prompt`:
    only those whose prompt contains it, ignoring case.

    Args:
        limit (int | Unset):  Default: 20.
        cursor (None | str | Unset):
        status (JobStatus | None | Unset):
        all_users (bool | Unset):  Default: False.
        links (bool | Unset): Give each image a time-limited `link` that needs no credential
            (EASEL_IMAGE_LINK_TTL_S) Default: False.
        prompt (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | ListJobsReply]
    """

    kwargs = _get_kwargs(
        limit=limit,
        cursor=cursor,
        status=status,
        all_users=all_users,
        links=links,
        prompt=prompt,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 20,
    cursor: None | str | Unset = UNSET,
    status: JobStatus | None | Unset = UNSET,
    all_users: bool | Unset = False,
    links: bool | Unset = False,
    prompt: None | str | Unset = UNSET,
) -> ErrorBody | ListJobsReply | None:
    """List Jobs

     The caller's own jobs, newest first (all_users: everyone's in the tenant, with jobs:read:any);
    `prompt`:
    only those whose prompt contains it, ignoring case.

    Args:
        limit (int | Unset):  Default: 20.
        cursor (None | str | Unset):
        status (JobStatus | None | Unset):
        all_users (bool | Unset):  Default: False.
        links (bool | Unset): Give each image a time-limited `link` that needs no credential
            (EASEL_IMAGE_LINK_TTL_S) Default: False.
        prompt (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | ListJobsReply
    """

    return sync_detailed(
        client=client,
        limit=limit,
        cursor=cursor,
        status=status,
        all_users=all_users,
        links=links,
        prompt=prompt,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 20,
    cursor: None | str | Unset = UNSET,
    status: JobStatus | None | Unset = UNSET,
    all_users: bool | Unset = False,
    links: bool | Unset = False,
    prompt: None | str | Unset = UNSET,
) -> Response[ErrorBody | ListJobsReply]:
    """List Jobs

     The caller's own jobs, newest first (all_users: everyone's in the tenant, with jobs:read:any);
    `prompt`:
    only those whose prompt contains it, ignoring case.

    Args:
        limit (int | Unset):  Default: 20.
        cursor (None | str | Unset):
        status (JobStatus | None | Unset):
        all_users (bool | Unset):  Default: False.
        links (bool | Unset): Give each image a time-limited `link` that needs no credential
            (EASEL_IMAGE_LINK_TTL_S) Default: False.
        prompt (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | ListJobsReply]
    """

    kwargs = _get_kwargs(
        limit=limit,
        cursor=cursor,
        status=status,
        all_users=all_users,
        links=links,
        prompt=prompt,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 20,
    cursor: None | str | Unset = UNSET,
    status: JobStatus | None | Unset = UNSET,
    all_users: bool | Unset = False,
    links: bool | Unset = False,
    prompt: None | str | Unset = UNSET,
) -> ErrorBody | ListJobsReply | None:
    """List Jobs

     The caller's own jobs, newest first (all_users: everyone's in the tenant, with jobs:read:any);
    `prompt`:
    only those whose prompt contains it, ignoring case.

    Args:
        limit (int | Unset):  Default: 20.
        cursor (None | str | Unset):
        status (JobStatus | None | Unset):
        all_users (bool | Unset):  Default: False.
        links (bool | Unset): Give each image a time-limited `link` that needs no credential
            (EASEL_IMAGE_LINK_TTL_S) Default: False.
        prompt (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | ListJobsReply
    """

    return (
        await asyncio_detailed(
            client=client,
            limit=limit,
            cursor=cursor,
            status=status,
            all_users=all_users,
            links=links,
            prompt=prompt,
        )
    ).parsed
