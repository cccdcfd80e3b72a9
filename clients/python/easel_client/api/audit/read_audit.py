import datetime
from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.audit_outcome import AuditOutcome
from ...models.audit_page import AuditPage
from ...models.error_body import ErrorBody
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    actor_id: None | str | Unset = UNSET,
    action: None | str | Unset = UNSET,
    target: None | str | Unset = UNSET,
    outcome: AuditOutcome | None | Unset = UNSET,
    since: datetime.datetime | None | Unset = UNSET,
    until: datetime.datetime | None | Unset = UNSET,
    limit: int | Unset = 100,
    cursor: None | str | Unset = UNSET,
    tenant: None | str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_actor_id: None | str | Unset
    if isinstance(actor_id, Unset):
        json_actor_id = UNSET
    else:
        json_actor_id = actor_id
    params["actor_id"] = json_actor_id

    json_action: None | str | Unset
    if isinstance(action, Unset):
        json_action = UNSET
    else:
        json_action = action
    params["action"] = json_action

    json_target: None | str | Unset
    if isinstance(target, Unset):
        json_target = UNSET
    else:
        json_target = target
    params["target"] = json_target

    json_outcome: None | str | Unset
    if isinstance(outcome, Unset):
        json_outcome = UNSET
    elif isinstance(outcome, AuditOutcome):
        json_outcome = outcome.value
    else:
        json_outcome = outcome
    params["outcome"] = json_outcome

    json_since: None | str | Unset
    if isinstance(since, Unset):
        json_since = UNSET
    elif isinstance(since, datetime.datetime):
        json_since = since.isoformat()
    else:
        json_since = since
    params["since"] = json_since

    json_until: None | str | Unset
    if isinstance(until, Unset):
        json_until = UNSET
    elif isinstance(until, datetime.datetime):
        json_until = until.isoformat()
    else:
        json_until = until
    params["until"] = json_until

    params["limit"] = limit

    json_cursor: None | str | Unset
    if isinstance(cursor, Unset):
        json_cursor = UNSET
    else:
        json_cursor = cursor
    params["cursor"] = json_cursor

    json_tenant: None | str | Unset
    if isinstance(tenant, Unset):
        json_tenant = UNSET
    else:
        json_tenant = tenant
    params["tenant"] = json_tenant

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/audit",
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> AuditPage | ErrorBody | None:
    if response.status_code == 200:
        response_200 = AuditPage.from_dict(response.json())

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
) -> Response[AuditPage | ErrorBody]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    actor_id: None | str | Unset = UNSET,
    action: None | str | Unset = UNSET,
    target: None | str | Unset = UNSET,
    outcome: AuditOutcome | None | Unset = UNSET,
    since: datetime.datetime | None | Unset = UNSET,
    until: datetime.datetime | None | Unset = UNSET,
    limit: int | Unset = 100,
    cursor: None | str | Unset = UNSET,
    tenant: None | str | Unset = UNSET,
) -> Response[AuditPage | ErrorBody]:
    """Read Audit

     Who did what, to what, when, from where, and how it ended: newest first, only the caller's tenant
    (or, for the
    platform admin, `tenant`'s).

    Args:
        actor_id (None | str | Unset):
        action (None | str | Unset):
        target (None | str | Unset): a prefix of the target
        outcome (AuditOutcome | None | Unset):
        since (datetime.datetime | None | Unset): at or after (UTC if no offset)
        until (datetime.datetime | None | Unset): before (UTC if no offset)
        limit (int | Unset):  Default: 100.
        cursor (None | str | Unset):
        tenant (None | str | Unset): Another tenant's log (the platform admin's, tenants:manage;
            else 403)

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AuditPage | ErrorBody]
    """

    kwargs = _get_kwargs(
        actor_id=actor_id,
        action=action,
        target=target,
        outcome=outcome,
        since=since,
        until=until,
        limit=limit,
        cursor=cursor,
        tenant=tenant,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    actor_id: None | str | Unset = UNSET,
    action: None | str | Unset = UNSET,
    target: None | str | Unset = UNSET,
    outcome: AuditOutcome | None | Unset = UNSET,
    since: datetime.datetime | None | Unset = UNSET,
    until: datetime.datetime | None | Unset = UNSET,
    limit: int | Unset = 100,
    cursor: None | str | Unset = UNSET,
    tenant: None | str | Unset = UNSET,
) -> AuditPage | ErrorBody | None:
    """Read Audit

     Who did what, to what, when, from where, and how it ended: newest first, only the caller's tenant
    (or, for the
    platform admin, `tenant`'s).

    Args:
        actor_id (None | str | Unset):
        action (None | str | Unset):
        target (None | str | Unset): a prefix of the target
        outcome (AuditOutcome | None | Unset):
        since (datetime.datetime | None | Unset): at or after (UTC if no offset)
        until (datetime.datetime | None | Unset): before (UTC if no offset)
        limit (int | Unset):  Default: 100.
        cursor (None | str | Unset):
        tenant (None | str | Unset): Another tenant's log (the platform admin's, tenants:manage;
            else 403)

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AuditPage | ErrorBody
    """

    return sync_detailed(
        client=client,
        actor_id=actor_id,
        action=action,
        target=target,
        outcome=outcome,
        since=since,
        until=until,
        limit=limit,
        cursor=cursor,
        tenant=tenant,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    actor_id: None | str | Unset = UNSET,
    action: None | str | Unset = UNSET,
    target: None | str | Unset = UNSET,
    outcome: AuditOutcome | None | Unset = UNSET,
    since: datetime.datetime | None | Unset = UNSET,
    until: datetime.datetime | None | Unset = UNSET,
    limit: int | Unset = 100,
    cursor: None | str | Unset = UNSET,
    tenant: None | str | Unset = UNSET,
) -> Response[AuditPage | ErrorBody]:
    """Read Audit

     Who did what, to what, when, from where, and how it ended: newest first, only the caller's tenant
    (or, for the
    platform admin, `tenant`'s).

    Args:
        actor_id (None | str | Unset):
        action (None | str | Unset):
        target (None | str | Unset): a prefix of the target
        outcome (AuditOutcome | None | Unset):
        since (datetime.datetime | None | Unset): at or after (UTC if no offset)
        until (datetime.datetime | None | Unset): before (UTC if no offset)
        limit (int | Unset):  Default: 100.
        cursor (None | str | Unset):
        tenant (None | str | Unset): Another tenant's log (the platform admin's, tenants:manage;
            else 403)

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AuditPage | ErrorBody]
    """

    kwargs = _get_kwargs(
        actor_id=actor_id,
        action=action,
        target=target,
        outcome=outcome,
        since=since,
        until=until,
        limit=limit,
        cursor=cursor,
        tenant=tenant,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    actor_id: None | str | Unset = UNSET,
    action: None | str | Unset = UNSET,
    target: None | str | Unset = UNSET,
    outcome: AuditOutcome | None | Unset = UNSET,
    since: datetime.datetime | None | Unset = UNSET,
    until: datetime.datetime | None | Unset = UNSET,
    limit: int | Unset = 100,
    cursor: None | str | Unset = UNSET,
    tenant: None | str | Unset = UNSET,
) -> AuditPage | ErrorBody | None:
    """Read Audit

     Who did what, to what, when, from where, and how it ended: newest first, only the caller's tenant
    (or, for the
    platform admin, `tenant`'s).

    Args:
        actor_id (None | str | Unset):
        action (None | str | Unset):
        target (None | str | Unset): a prefix of the target
        outcome (AuditOutcome | None | Unset):
        since (datetime.datetime | None | Unset): at or after (UTC if no offset)
        until (datetime.datetime | None | Unset): before (UTC if no offset)
        limit (int | Unset):  Default: 100.
        cursor (None | str | Unset):
        tenant (None | str | Unset): Another tenant's log (the platform admin's, tenants:manage;
            else 403)

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AuditPage | ErrorBody
    """

    return (
        await asyncio_detailed(
            client=client,
            actor_id=actor_id,
            action=action,
            target=target,
            outcome=outcome,
            since=since,
            until=until,
            limit=limit,
            cursor=cursor,
            tenant=tenant,
        )
    ).parsed
