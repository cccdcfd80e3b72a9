"""Who may see, use and change a model. A model someone may not see does not exist for them (404)."""

from __future__ import annotations

from easel_proto.permissions import USERS_MANAGE, allows
from easel_proto.v1.common import Principal
from easel_registry.models import Model


def tenant_admin(model: Model, principal: Principal) -> bool:
    return model.tenant_id == principal.tenant_id and allows(principal.permissions, USERS_MANAGE)


def can_use(model: Model, principal: Principal) -> bool:
    """Public means everyone in the owner's tenant; models for every tenant are the built-ins."""
    if model.tenant_id != principal.tenant_id:
        return False
    if model.owner_id == principal.user_id or model.visibility == "public" or tenant_admin(model, principal):
        return True
    return model.visibility == "roles" and bool(set(principal.roles or ()) & set(model.shared_roles or ()))


def can_manage(model: Model, principal: Principal) -> bool:
    """Its owner, or an admin of its tenant."""
    return model.tenant_id == principal.tenant_id and (model.owner_id == principal.user_id
                                                       or tenant_admin(model, principal))
