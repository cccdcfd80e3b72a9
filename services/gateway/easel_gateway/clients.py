"""Typed clients for the services behind the gateway, over NATS request/reply."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta

from cachetools import TTLCache
from nats.aio.client import Client

from easel_common.callers import Holder
from easel_common.natsio import Caller, ask, principal_headers, request
from easel_gateway.queue_watch import QueueWatch
from easel_proto import Names
from easel_proto.errors import Unauthenticated
from easel_proto.permissions import JOBS_CANCEL_ANY, JOBS_READ_ANY, allows
from easel_proto.v1 import auth, common, jobs, pools, trainings, webhooks
from easel_proto.v1.registry import ModelInfo
from easel_proto.wire import now

CALLER_TTL_S = 3600.0  # how long a caller's credential is kept for fresh statements after its last request
RENEW_BEFORE = timedelta(seconds=30)  # a statement this close to lapsing is asked for again


def _caller_key(principal: common.Principal) -> tuple:
    return principal.user_id, principal.key_id, principal.session_id


def _fresh(reply: auth.VerifyKeyReply) -> bool:
    """Whether a verification can still be used: its credential and its statement are not about to lapse."""
    current = now()
    if reply.valid_until is not None and reply.valid_until <= current:
        return False
    return reply.statement_expires_at is None or reply.statement_expires_at - RENEW_BEFORE > current


class Services:
    """Auth and jobs as the gateway calls them, and the signed NATS request every service call goes through
    (the registry's client, admission.Registry, calls through `call` too)."""

    def __init__(self, nc: Client, names: Names, *, timeout: float, auth_ttl: float) -> None:
        self.nc, self.names, self.timeout = nc, names, timeout
        # Cached briefly so a burst of requests costs one verification; keyed by digest, never the key.
        # A UserChanged event (revoked key, disabled user, new settings) drops the user's entries at once.
        self._verified: TTLCache[str, auth.VerifyKeyReply] = TTLCache(maxsize=10_000, ttl=auth_ttl)
        self._subscription = None
        self.on_user_changed: list[Callable[[str], None]] = []  # caches of other clients to drop a user from
        # Services take a user's identity only from auth's statement, bound to this process's key (callers.py).
        # Each caller's last statement is kept with the credential it came from, so a long request (an SSE stream,
        # a web UI call waiting on its job) can ask for a fresh one; a revocation drops the entry like the cache.
        self.holder = Holder()
        self._callers: TTLCache[tuple, tuple[str, auth.VerifyKeyReply | None]] = TTLCache(maxsize=20_000,
                                                                                         ttl=CALLER_TTL_S)
        self.queue = QueueWatch(nc, names, timeout=timeout)  # queued jobs' places, for event streams (events.py)

    async def follow_changes(self) -> None:
        """Subscribe to user changes so cached identities never outlive a revocation by more than a moment."""
        async def drop(msg) -> None:
            user_id = msg.subject.rsplit(".", 1)[-1]
            for digest, reply in list(self._verified.items()):
                if reply.principal.user_id == user_id:
                    self._verified.pop(digest, None)
            for key, (credential, _reply) in list(self._callers.items()):
                if key[0] == user_id:  # verified again before its next statement: a revoked credential ends there
                    self._callers[key] = (credential, None)
            for forget in self.on_user_changed:
                forget(user_id)

        self._subscription = await self.nc.subscribe(self.names.auth_changed("*"), cb=drop)

    async def close(self) -> None:
        if self._subscription is not None:
            await self._subscription.unsubscribe()

    async def call(self, subject: str, message, reply_type, principal: common.Principal | None = None,
                   timeout: float | None = None):
        """A request to a service; made for `principal`, it carries auth's statement of them and this process's
        proof (services refuse a request for a user without both). `timeout`: longer than the usual, for work
        that takes long by nature (checking a dataset's images)."""
        headers, caller = None, None
        if principal is not None:
            headers = principal_headers(principal.user_id, principal.tenant_id)
            caller = Caller(await self._statement(principal), self.holder)
        return await request(self.nc, subject, message, reply_type, timeout=timeout or self.timeout, headers=headers,
                             caller=caller)

    async def verify(self, api_key: str) -> auth.VerifyKeyReply:
        """Who holds this key, with their settings and quotas (and auth's statement of it for the services)."""
        digest = hashlib.sha256(api_key.encode()).hexdigest()
        reply = self._verified.get(digest)
        if reply is not None and not _fresh(reply):
            reply = None  # the cache must not outlive the credential, nor hand out a statement about to lapse
        if reply is None:
            request_ = auth.VerifyKeyRequest(api_key=api_key, holder=self.holder.public_key)
            # asked once: auth's answer reaches us across a nats-server reload too (nats_access.reply_prefix)
            reply = await request(self.nc, self.names.auth_verify, request_, auth.VerifyKeyReply,
                                  timeout=self.timeout)
            self._verified[digest] = reply
        self._callers[_caller_key(reply.principal)] = (api_key, reply)
        return reply

    async def _statement(self, principal: common.Principal) -> str:
        """The statement for a caller this gateway verified, asked for again when it is about to lapse."""
        entry = self._callers.get(_caller_key(principal))
        if entry is None:
            raise Unauthenticated("your credential is no longer valid here; send it again")
        credential, reply = entry
        if reply is None or not _fresh(reply):
            reply = await self.verify(credential)
        if reply.statement is None:
            raise Unauthenticated("auth gave no caller statement")
        return reply.statement

    async def create_user(self, req: auth.CreateUserRequest) -> auth.User:
        return await self.call(self.names.auth_create_user, req, auth.User, req.actor)

    async def create_key(self, req: auth.CreateKeyRequest) -> auth.ApiKey:
        return await self.call(self.names.auth_create_key, req, auth.ApiKey, req.actor)

    async def keys(self, req: auth.KeysRequest) -> list[auth.ApiKey]:
        return (await self.call(self.names.auth_keys, req, auth.KeyList, req.actor)).items

    async def users(self, req: auth.UsersRequest) -> list[auth.User]:
        return (await self.call(self.names.auth_users, req, auth.UserList, req.actor)).items

    async def roles(self, req: auth.RolesRequest) -> list[auth.Role]:
        return (await self.call(self.names.auth_roles, req, auth.RoleList, req.actor)).items

    async def tenants(self, req: auth.TenantsRequest) -> auth.TenantReply:
        return await self.call(self.names.auth_tenants, req, auth.TenantReply, req.actor)

    async def tenant_contents(self, service: str, req: auth.TenantContentsRequest) -> dict[str, int]:
        """What a tenant holds in the jobs service or the registry (with `purge`: removed it); a purge deletes
        objects from the store one by one, so it may take longer than the usual request."""
        subject = {"jobs": self.names.jobs_tenant, "registry": self.names.registry_tenant}[service]
        timeout = max(self.timeout, 120.0) if req.purge else None
        return (await self.call(subject, req, auth.TenantContents, req.actor, timeout=timeout)).counts

    async def login(self, req: auth.LoginRequest) -> auth.TokenPair:
        return await self.call(self.names.auth_login, req, auth.TokenPair)

    async def refresh(self, req: auth.RefreshRequest) -> auth.TokenPair:
        return await self.call(self.names.auth_refresh, req, auth.TokenPair)

    async def logout(self, req: auth.LogoutRequest) -> None:
        await self.call(self.names.auth_logout, req, auth.Empty, req.principal)

    async def password(self, req: auth.PasswordRequest) -> None:
        await self.call(self.names.auth_password, req, auth.Empty, req.actor)

    async def settings(self, principal: common.Principal, patch: dict | None = None) -> auth.UserSettings:
        return await self.call(self.names.auth_settings, auth.SettingsRequest(principal=principal, patch=patch),
                                auth.UserSettings, principal)

    async def create_job(self, req: jobs.CreateJobRequest) -> jobs.CreateJobReply:
        return await self.call(self.names.jobs_create, req, jobs.CreateJobReply, req.principal)

    async def get_job(self, principal: common.Principal, job_id: str) -> jobs.JobRecord:
        ref = jobs.JobRef(principal=principal, job_id=job_id, any_owner=allows(principal.permissions, JOBS_READ_ANY))
        return await self.call(self.names.jobs_get, ref, jobs.JobRecord, principal)

    async def list_jobs(self, req: jobs.ListJobsRequest) -> jobs.ListJobsReply:
        return await self.call(self.names.jobs_list, req, jobs.ListJobsReply, req.principal)

    async def cancel_job(self, principal: common.Principal, job_id: str, skip: bool = False) -> jobs.JobRecord:
        """Cancel the job (skip: end only its running batch, the web UI's skip)."""
        ref = jobs.JobRef(principal=principal, job_id=job_id, any_owner=allows(principal.permissions, JOBS_CANCEL_ANY),
                          skip=skip)
        return await self.call(self.names.jobs_cancel, ref, jobs.JobRecord, principal)

    async def webhooks(self, req: webhooks.WebhookRequest) -> webhooks.WebhookReply:
        return await self.call(self.names.jobs_webhooks, req, webhooks.WebhookReply, req.actor)

    async def pools(self, req: pools.PoolRequest) -> pools.PoolReply:
        return await self.call(self.names.pools_manage, req, pools.PoolReply, req.actor)

    async def create_training(self, req: trainings.CreateTrainingRequest) -> trainings.TrainingRecord:
        return await self.call(self.names.trainings_create, req, trainings.TrainingRecord, req.principal)

    def _training_ref(self, principal: common.Principal, training_id: str, any_permission: str,
                      **extra) -> trainings.TrainingRef:
        return trainings.TrainingRef(principal=principal, training_id=training_id,
                                     any_owner=allows(principal.permissions, any_permission), **extra)

    async def get_training(self, principal: common.Principal, training_id: str) -> trainings.TrainingRecord:
        """One of the caller's trainings (or of their tenant's, with jobs:read:any, as for jobs)."""
        ref = self._training_ref(principal, training_id, JOBS_READ_ANY)
        return await self.call(self.names.trainings_get, ref, trainings.TrainingRecord, principal)

    async def list_trainings(self, req: trainings.ListTrainingsRequest) -> trainings.ListTrainingsReply:
        return await self.call(self.names.trainings_list, req, trainings.ListTrainingsReply, req.principal)

    async def cancel_training(self, principal: common.Principal, training_id: str) -> trainings.TrainingRecord:
        ref = self._training_ref(principal, training_id, JOBS_CANCEL_ANY)
        return await self.call(self.names.trainings_cancel, ref, trainings.TrainingRecord, principal)

    async def register_checkpoint(self, principal: common.Principal, training_id: str, step: int) -> ModelInfo:
        """The model a training kept at `step`, registered as its owner's (the owner, or jobs:cancel:any)."""
        req = trainings.RegisterCheckpointRequest(principal=principal, training_id=training_id, step=step,
                                                  any_owner=allows(principal.permissions, JOBS_CANCEL_ANY))
        return await self.call(self.names.trainings_register_checkpoint, req, ModelInfo, principal)

    async def training_logs(self, principal: common.Principal, training_id: str, lines: int) -> trainings.TrainingLogs:
        ref = self._training_ref(principal, training_id, JOBS_READ_ANY, lines=lines)
        return await self.call(self.names.trainings_logs, ref, trainings.TrainingLogs, principal)

    async def ping(self, service: str) -> bool:
        """True when at least one instance of a micro service answers."""
        try:
            await ask(self.nc, f"$SRV.PING.{self.names.service(service)}", b"", timeout=self.timeout)
        except Exception:
            return False
        return True
