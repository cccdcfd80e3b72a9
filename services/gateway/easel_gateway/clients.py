"""Typed clients for the services behind the gateway, over NATS request/reply."""

from __future__ import annotations

import hashlib

from cachetools import TTLCache
from nats.aio.client import Client

from easel_common.natsio import principal_headers, request
from easel_proto import Names
from easel_proto.errors import InvalidInput, NotFound
from easel_proto.permissions import JOBS_CANCEL_ANY, JOBS_READ_ANY, allows
from easel_proto.v1 import auth, common, jobs, registry
from easel_proto.wire import now


class Services:
    """Auth, registry and jobs, as the gateway calls them."""

    def __init__(self, nc: Client, names: Names, *, timeout: float, auth_ttl: float) -> None:
        self.nc, self.names, self.timeout = nc, names, timeout
        # Cached briefly so a burst of requests costs one verification; keyed by digest, never the key.
        # A UserChanged event (revoked key, disabled user, new settings) drops the user's entries at once.
        self._verified: TTLCache[str, auth.VerifyKeyReply] = TTLCache(maxsize=10_000, ttl=auth_ttl)
        self._models: TTLCache[tuple[str, str], registry.ModelInfo] = TTLCache(maxsize=10_000, ttl=auth_ttl)
        self._listed: TTLCache[tuple[str, str, str], list[registry.ModelInfo]] = TTLCache(maxsize=10_000,
                                                                                         ttl=auth_ttl)
        self._subscription = None

    async def follow_changes(self) -> None:
        """Subscribe to user changes so cached identities never outlive a revocation by more than a moment."""
        async def drop(msg) -> None:
            user_id = msg.subject.rsplit(".", 1)[-1]
            for digest, reply in list(self._verified.items()):
                if reply.principal.user_id == user_id:
                    self._verified.pop(digest, None)
            for cache in (self._models, self._listed):
                for key in [k for k in cache if k[0] == user_id]:
                    cache.pop(key, None)

        self._subscription = await self.nc.subscribe(self.names.auth_changed("*"), cb=drop)

    async def close(self) -> None:
        if self._subscription is not None:
            await self._subscription.unsubscribe()

    async def _call(self, subject: str, message, reply_type, principal: common.Principal | None = None):
        headers = principal_headers(principal.user_id, principal.tenant_id) if principal else None
        return await request(self.nc, subject, message, reply_type, timeout=self.timeout, headers=headers)

    async def verify(self, api_key: str) -> auth.VerifyKeyReply:
        """Who holds this key, with their settings and quotas."""
        digest = hashlib.sha256(api_key.encode()).hexdigest()
        reply = self._verified.get(digest)
        if reply is not None and reply.valid_until is not None and reply.valid_until <= now():
            reply = None  # the cache must not outlive the credential
        if reply is None:
            reply = await self._call(self.names.auth_verify, auth.VerifyKeyRequest(api_key=api_key),
                                     auth.VerifyKeyReply)
            self._verified[digest] = reply
        return reply

    async def create_user(self, req: auth.CreateUserRequest) -> auth.User:
        return await self._call(self.names.auth_create_user, req, auth.User, req.actor)

    async def create_key(self, req: auth.CreateKeyRequest) -> auth.ApiKey:
        return await self._call(self.names.auth_create_key, req, auth.ApiKey, req.actor)

    async def keys(self, req: auth.KeysRequest) -> list[auth.ApiKey]:
        return (await self._call(self.names.auth_keys, req, auth.KeyList, req.actor)).items

    async def users(self, req: auth.UsersRequest) -> list[auth.User]:
        return (await self._call(self.names.auth_users, req, auth.UserList, req.actor)).items

    async def roles(self, req: auth.RolesRequest) -> list[auth.Role]:
        return (await self._call(self.names.auth_roles, req, auth.RoleList, req.actor)).items

    async def login(self, req: auth.LoginRequest) -> auth.TokenPair:
        return await self._call(self.names.auth_login, req, auth.TokenPair)

    async def refresh(self, req: auth.RefreshRequest) -> auth.TokenPair:
        return await self._call(self.names.auth_refresh, req, auth.TokenPair)

    async def logout(self, req: auth.LogoutRequest) -> None:
        await self._call(self.names.auth_logout, req, auth.Empty, req.principal)

    async def password(self, req: auth.PasswordRequest) -> None:
        await self._call(self.names.auth_password, req, auth.Empty, req.actor)

    async def settings(self, principal: common.Principal, patch: dict | None = None) -> auth.UserSettings:
        return await self._call(self.names.auth_settings, auth.SettingsRequest(principal=principal, patch=patch),
                                auth.UserSettings, principal)

    async def model(self, name: str, principal: common.Principal, kind: str | None = None,
                    field: str = "model") -> registry.ModelInfo:
        """Resolve a model name as this caller may see it (cached per caller as briefly as keys).

        With `kind`, only a model of that kind matches; an unknown name is InvalidInput on `field`.
        """
        cache_key = (principal.user_id, f"{kind}\0{name}" if kind else name)
        if (cached := self._models.get(cache_key)) is not None:
            return cached
        try:
            model = await self._call(self.names.registry_lookup,
                                     registry.ModelLookupRequest(name=name, principal=principal, kind=kind),
                                     registry.ModelInfo, principal)
        except NotFound as exc:
            what = f"{kind} " if kind else ""
            raise InvalidInput(field, f"unknown {what}model {name!r}") from exc
        except InvalidInput as exc:  # the registry names "model" (still importing, failed); say which one
            if field == "model" or exc.details.get("field") != "model":
                raise
            raise InvalidInput(field, str(exc.details.get("reason", exc.message))) from exc
        self._models[cache_key] = model
        return model

    async def usable_models(self, principal: common.Principal, kind: str, base: str) -> list[registry.ModelInfo]:
        """The ready models of kind and base the caller may use, cached as briefly as lookups: every job's prompt
        is matched against the caller's embeddings, which must not cost a registry listing per job."""
        cache_key = (principal.user_id, kind, base)
        if (cached := self._listed.get(cache_key)) is not None:
            return cached
        reply = await self._call(self.names.registry_models,
                                 registry.ModelRequest(principal=principal, kind=kind, base=base),
                                 registry.ModelList, principal)
        self._listed[cache_key] = listed = [m for m in reply.items if m.status == "ready"]
        return listed

    async def create_job(self, req: jobs.CreateJobRequest) -> jobs.CreateJobReply:
        return await self._call(self.names.jobs_create, req, jobs.CreateJobReply, req.principal)

    async def get_job(self, principal: common.Principal, job_id: str) -> jobs.JobRecord:
        ref = jobs.JobRef(principal=principal, job_id=job_id, any_owner=allows(principal.permissions, JOBS_READ_ANY))
        return await self._call(self.names.jobs_get, ref, jobs.JobRecord, principal)

    async def list_jobs(self, req: jobs.ListJobsRequest) -> jobs.ListJobsReply:
        return await self._call(self.names.jobs_list, req, jobs.ListJobsReply, req.principal)

    async def cancel_job(self, principal: common.Principal, job_id: str) -> jobs.JobRecord:
        ref = jobs.JobRef(principal=principal, job_id=job_id, any_owner=allows(principal.permissions, JOBS_CANCEL_ANY))
        return await self._call(self.names.jobs_cancel, ref, jobs.JobRecord, principal)

    async def ping(self, service: str) -> bool:
        """True when at least one instance of a micro service answers."""
        try:
            await self.nc.request(f"$SRV.PING.{self.names.service(service)}", b"", timeout=self.timeout)
        except Exception:
            return False
        return True
