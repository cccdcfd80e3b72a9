"""What each endpoint needs, in one place; `enforce` checks it before any handler runs."""

from __future__ import annotations

from fastapi import Request

from easel_proto.errors import EaselError
from easel_proto.permissions import (
    AUDIT_READ,
    JOBS_CREATE,
    JOBS_READ_ANY,
    MODELS_READ,
    MODELS_WRITE,
    POOLS_MANAGE,
    ROLES_MANAGE,
    TENANTS_MANAGE,
    TRAININGS_CREATE,
    USERS_MANAGE,
    require,
)
from easel_proto.v1.common import Principal

PUBLIC = "public"  # no key needed
SELF = "self"  # any signed-in user, on their own jobs, keys and settings

RULES: dict[tuple[str, str], str] = {
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/readyz"): PUBLIC,
    ("GET", "/metrics"): PUBLIC,
    ("POST", "/v1/jobs"): JOBS_CREATE,
    ("GET", "/v1/jobs"): SELF,
    ("GET", "/v1/jobs/{job_id}"): SELF,
    ("DELETE", "/v1/jobs/{job_id}"): SELF,
    ("POST", "/v1/jobs/{job_id}/skip"): SELF,  # as cancel: the owner's, or jobs:cancel:any (the jobs service checks)
    ("GET", "/v1/jobs/{job_id}/images/{index}"): SELF,
    ("GET", "/v1/jobs/{job_id}/inputs/{field}"): SELF,  # as the job: the owner's, or jobs:read:any in the tenant
    ("GET", "/v1/jobs/{job_id}/events"): SELF,
    ("GET", "/v1/links/{token}"): PUBLIC,  # the link is the credential: signed, for one image, expiring
    ("POST", "/v1/auth/login"): PUBLIC,
    ("POST", "/v1/auth/refresh"): PUBLIC,
    ("POST", "/v1/auth/logout"): SELF,
    # browsers' sign-in: the tokens in HttpOnly cookies, writes with a CSRF token (session.py)
    ("POST", "/v1/auth/session"): PUBLIC,
    ("POST", "/v1/auth/session/refresh"): PUBLIC,  # the refresh cookie is the credential
    ("DELETE", "/v1/auth/session"): SELF,
    # the web UI's page and its hashed files (webapp.py), outside the OpenAPI document like /metrics
    ("GET", "/"): PUBLIC,
    ("GET", "/assets/{name}"): PUBLIC,
    ("GET", "/v1/me"): SELF,
    ("PUT", "/v1/me/password"): SELF,
    ("GET", "/v1/me/settings"): SELF,
    ("PATCH", "/v1/me/settings"): SELF,
    ("GET", "/v1/me/keys"): SELF,
    ("POST", "/v1/me/keys"): SELF,
    ("DELETE", "/v1/me/keys/{key_id}"): SELF,
    ("GET", "/v1/users"): USERS_MANAGE,
    ("POST", "/v1/users"): USERS_MANAGE,
    ("GET", "/v1/users/{user_id}"): USERS_MANAGE,
    ("PATCH", "/v1/users/{user_id}"): USERS_MANAGE,
    ("DELETE", "/v1/users/{user_id}"): USERS_MANAGE,
    ("GET", "/v1/users/{user_id}/keys"): USERS_MANAGE,
    ("POST", "/v1/users/{user_id}/keys"): USERS_MANAGE,
    ("DELETE", "/v1/users/{user_id}/keys/{key_id}"): USERS_MANAGE,
    ("PUT", "/v1/users/{user_id}/password"): USERS_MANAGE,
    ("GET", "/v1/roles"): ROLES_MANAGE,  # another tenant's (tenant=): tenants:manage too (auth checks)
    ("POST", "/v1/roles"): ROLES_MANAGE,
    ("PUT", "/v1/roles/{name}"): ROLES_MANAGE,
    ("DELETE", "/v1/roles/{name}"): ROLES_MANAGE,
    ("GET", "/v1/audit"): AUDIT_READ,
    ("GET", "/v1/usage"): JOBS_READ_ANY,  # another tenant's also needs tenants:manage (the route checks)
    # tenants: the platform admin's alone ('*' does not grant tenants:manage, so a tenant's admin gets 403)
    ("GET", "/v1/tenants"): TENANTS_MANAGE,
    ("POST", "/v1/tenants"): TENANTS_MANAGE,
    ("GET", "/v1/tenants/{tenant_id}"): TENANTS_MANAGE,
    ("PATCH", "/v1/tenants/{tenant_id}"): TENANTS_MANAGE,
    ("DELETE", "/v1/tenants/{tenant_id}"): TENANTS_MANAGE,
    # pools: the platform admin's ('*' does not grant pools:manage); a pool's status also to those who may use it,
    # which the jobs service checks
    ("GET", "/v1/pools"): POOLS_MANAGE,
    ("POST", "/v1/pools"): POOLS_MANAGE,
    ("GET", "/v1/pools/{name}"): POOLS_MANAGE,
    ("PATCH", "/v1/pools/{name}"): POOLS_MANAGE,
    ("DELETE", "/v1/pools/{name}"): POOLS_MANAGE,
    ("GET", "/v1/pools/{name}/status"): SELF,
    # sharing (visibility roles or public) also needs models:share, checked by the registry
    ("POST", "/v1/models"): MODELS_WRITE,
    ("GET", "/v1/models"): MODELS_READ,
    ("GET", "/v1/models/{model_id}"): MODELS_READ,
    ("PATCH", "/v1/models/{model_id}"): MODELS_WRITE,  # another tenant's (tenant=): tenants:manage too (the route)
    ("DELETE", "/v1/models/{model_id}"): MODELS_WRITE,
    ("POST", "/v1/models/uploads"): MODELS_WRITE,
    ("POST", "/v1/models/merge"): MODELS_WRITE,  # and jobs:create, checked by the route: a merge is a job
    ("PUT", "/v1/models/uploads/{upload_id}"): MODELS_WRITE,
    # fine-tuning: datasets are read like models (by whoever may use them) and written for trainings
    ("POST", "/v1/datasets"): TRAININGS_CREATE,
    ("GET", "/v1/datasets"): SELF,
    ("GET", "/v1/datasets/{dataset_id}"): SELF,
    ("DELETE", "/v1/datasets/{dataset_id}"): TRAININGS_CREATE,
    ("POST", "/v1/trainings"): TRAININGS_CREATE,
    ("GET", "/v1/trainings"): SELF,
    ("GET", "/v1/trainings/{training_id}"): SELF,
    ("DELETE", "/v1/trainings/{training_id}"): SELF,
    ("GET", "/v1/trainings/{training_id}/events"): SELF,
    ("GET", "/v1/trainings/{training_id}/samples/{index}"): SELF,
    ("GET", "/v1/trainings/{training_id}/logs"): SELF,
    # registers a model the training kept; the jobs service lets only its owner (or jobs:cancel:any) do it
    ("POST", "/v1/trainings/{training_id}/checkpoints/{step}/register"): SELF,
    # webhooks: the caller's own (a tenant-wide one needs jobs:read:any, which the jobs service checks)
    ("GET", "/v1/webhooks"): SELF,
    ("POST", "/v1/webhooks"): SELF,
    ("GET", "/v1/webhooks/callback-secret"): SELF,
    ("POST", "/v1/webhooks/callback-secret/rotate"): SELF,
    ("GET", "/v1/webhooks/{webhook_id}"): SELF,
    ("PATCH", "/v1/webhooks/{webhook_id}"): SELF,
    ("DELETE", "/v1/webhooks/{webhook_id}"): SELF,
    ("POST", "/v1/webhooks/{webhook_id}/rotate-secret"): SELF,
    ("GET", "/v1/webhooks/{webhook_id}/deliveries"): SELF,
    ("POST", "/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver"): SELF,
    # the web UI's API (easel_gateway.sdapi): generation queues jobs; lists of models read the registry
    ("POST", "/sdapi/v1/txt2img"): JOBS_CREATE,
    ("POST", "/sdapi/v1/img2img"): JOBS_CREATE,
    ("POST", "/sdapi/v1/extra-single-image"): JOBS_CREATE,
    ("POST", "/sdapi/v1/extra-batch-images"): JOBS_CREATE,
    ("POST", "/inference"): JOBS_CREATE,
    ("POST", "/controlnet/detect"): JOBS_CREATE,
    ("POST", "/sdapi/v1/interrogate"): JOBS_CREATE,
    ("POST", "/sdapi/v1/create/embedding"): TRAININGS_CREATE,
    ("POST", "/sdapi/v1/create/hypernetwork"): TRAININGS_CREATE,
    ("POST", "/sdapi/v1/train/embedding"): TRAININGS_CREATE,
    ("POST", "/sdapi/v1/train/hypernetwork"): TRAININGS_CREATE,
    ("POST", "/sdapi/v1/png-info"): SELF,
    ("GET", "/sdapi/v1/progress"): SELF,
    ("POST", "/internal/progress"): SELF,
    ("POST", "/sdapi/v1/interrupt"): SELF,
    ("POST", "/sdapi/v1/skip"): SELF,
    ("GET", "/sdapi/v1/options"): SELF,
    ("POST", "/sdapi/v1/options"): SELF,
    ("GET", "/sdapi/v1/cmd-flags"): SELF,
    ("GET", "/sdapi/v1/samplers"): SELF,
    ("GET", "/sdapi/v1/schedulers"): SELF,
    ("GET", "/sdapi/v1/latent-upscale-modes"): SELF,
    ("GET", "/sdapi/v1/hypernetworks"): SELF,
    ("GET", "/sdapi/v1/face-restorers"): SELF,
    ("GET", "/sdapi/v1/realesrgan-models"): SELF,
    ("GET", "/sdapi/v1/prompt-styles"): SELF,
    ("GET", "/sdapi/v1/scripts"): SELF,
    ("GET", "/sdapi/v1/script-info"): SELF,
    ("GET", "/sdapi/v1/memory"): SELF,
    ("GET", "/sdapi/v1/extensions"): SELF,
    ("POST", "/sdapi/v1/refresh-checkpoints"): SELF,
    ("POST", "/sdapi/v1/refresh-vae"): SELF,
    ("POST", "/sdapi/v1/refresh-loras"): SELF,
    ("POST", "/sdapi/v1/refresh-embeddings"): SELF,
    ("POST", "/sdapi/v1/reload-checkpoint"): SELF,
    ("POST", "/sdapi/v1/unload-checkpoint"): SELF,
    ("GET", "/sdapi/v1/upscalers"): MODELS_READ,
    ("GET", "/sdapi/v1/sd-models"): MODELS_READ,
    ("GET", "/sdapi/v1/sd-vae"): MODELS_READ,
    ("GET", "/sdapi/v1/loras"): MODELS_READ,
    ("GET", "/sdapi/v1/embeddings"): MODELS_READ,
    ("GET", "/controlnet/model_list"): MODELS_READ,
    ("GET", "/controlnet/version"): SELF,
    ("GET", "/controlnet/module_list"): SELF,
    ("GET", "/controlnet/settings"): SELF,
}


def rule_for(request: Request) -> str:
    route = request.scope.get("route")
    rule = RULES.get((request.method, getattr(route, "path", "")))
    if rule is None:  # a new endpoint without a rule is a bug, and must not be open meanwhile
        raise EaselError(f"no permission rule for {request.method} {getattr(route, 'path', '?')}")
    return rule


def enforce(request: Request, caller: Principal) -> None:
    """Refuse (403, naming the permission) a caller whose roles do not grant what the route needs."""
    rule = rule_for(request)
    if rule not in (PUBLIC, SELF):
        require(caller, rule)
