"""A service acts for a user only on auth's word, carried by the gateway process auth gave it to.

The attack this answers: a NATS client sent `easel.auth.users.manage` and `easel.auth.keys.create` with a made-up
actor holding `*` and `tenants:manage`, and got a working API key for the platform admin. Here the client has even
the gateway's NATS identity (the only one allowed to send those requests), and still gets nothing.
"""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from easel_common import callers
from easel_common.natsio import Caller, ask, request
from easel_proto.errors import Forbidden, Unauthenticated
from easel_proto.v1 import auth, common, jobs
from easel_proto.wire import encode


def _names(stack):
    return stack.services[0].settings.names


async def _admin(api, admin_headers) -> common.Principal:
    return common.Principal(**(await api.get("/v1/me", headers=admin_headers)).json())


async def _gateway(stack):
    if not hasattr(stack, "_rogue_gateway"):
        stack._rogue_gateway = await stack.connect_as("gateway")
    return stack._rogue_gateway


async def test_a_made_up_actor_gets_no_key(stack, api, admin_headers):
    names, nc = _names(stack), await _gateway(stack)
    platform_admin = await _admin(api, admin_headers)
    forged_actor = common.Principal(user_id="x", tenant_id="default", username="x", roles=["platform-admin"],
                                    permissions=["*", "tenants:manage"])
    mint = auth.CreateKeyRequest(actor=forged_actor, user_id=platform_admin.user_id, name="stolen")
    with pytest.raises(Unauthenticated, match="no caller statement"):
        await request(nc, names.auth_create_key, mint, auth.ApiKey, timeout=5)

    forger = callers.Issuer(Ed25519PrivateKey.generate(), ttl_s=300)  # signs like auth, with another key
    holder = callers.Holder()
    statement, _ = forger.issue(forged_actor, holder.public_key, None)
    with pytest.raises(Unauthenticated, match="statement refused"):
        await request(nc, names.auth_create_key, mint, auth.ApiKey, timeout=5, caller=Caller(statement, holder))


async def test_a_real_statement_vouches_only_for_its_own_caller(stack, api, admin_headers, user):
    """Signed in as an ordinary user, the body still cannot claim to be the platform admin."""
    names, nc = _names(stack), await _gateway(stack)
    holder = callers.Holder()
    verified = await request(nc, names.auth_verify, auth.VerifyKeyRequest(api_key=user["key"],
                                                                          holder=holder.public_key),
                             auth.VerifyKeyReply, timeout=5)
    assert verified.principal.user_id == user["id"] and verified.statement
    platform_admin = await _admin(api, admin_headers)
    mine = Caller(verified.statement, holder)
    claimed = platform_admin.model_copy()
    mint = auth.CreateKeyRequest(actor=claimed, user_id=platform_admin.user_id, name="stolen")
    with pytest.raises(Forbidden, match="another caller"):
        await request(nc, names.auth_create_key, mint, auth.ApiKey, timeout=5, caller=mine)
    honest = auth.CreateKeyRequest(actor=verified.principal, user_id=platform_admin.user_id, name="stolen")
    with pytest.raises(Exception) as refused:  # as themself, the user may not touch the admin at all
        await request(nc, names.auth_create_key, honest, auth.ApiKey, timeout=5, caller=mine)
    assert refused.value.code in ("not_found", "forbidden")
    keys = (await api.get(f"/v1/users/{platform_admin.user_id}/keys", headers=admin_headers)).json()
    assert not [k for k in keys if k["name"] == "stolen"]


async def test_a_captured_request_cannot_be_replayed_or_reused_for_another(stack, user):
    names, nc = _names(stack), await _gateway(stack)
    holder = callers.Holder()
    verified = await request(nc, names.auth_verify, auth.VerifyKeyRequest(api_key=user["key"],
                                                                          holder=holder.public_key),
                             auth.VerifyKeyReply, timeout=5)
    listing = jobs.ListJobsRequest(principal=verified.principal, limit=5)
    body = encode(listing)
    headers = holder.headers(verified.statement, names.jobs_list, body)
    first = await ask(nc, names.jobs_list, body, headers=headers, timeout=5)
    assert b'"items"' in first.data
    again = await ask(nc, names.jobs_list, body, headers=headers, timeout=5)  # byte for byte, once more
    assert b"replayed" in again.data and b"unauthenticated" in again.data
    other = encode(jobs.ListJobsRequest(principal=verified.principal, limit=6))
    moved = await ask(nc, names.jobs_list, other, headers=holder.headers(verified.statement, names.jobs_get, body),
                             timeout=5)
    assert b"another request" in moved.data
