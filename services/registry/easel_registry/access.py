"""Who may see, use and change a model or a dataset. One someone may not see does not exist for them (404)."""

from __future__ import annotations

from easel_proto.permissions import USERS_MANAGE, allows
from easel_proto.v1.common import Principal
from easel_registry.models import Dataset, Model

Owned = Model | Dataset  # both carry tenant_id, owner_id, visibility and shared_roles


def tenant_admin(model: Owned, principal: Principal) -> bool:
    return model.tenant_id == principal.tenant_id and allows(principal.permissions, USERS_MANAGE)


def can_use(model: Owned, principal: Principal) -> bool:
    """Public means everyone in the owner's tenant; models for every tenant are the built-ins."""
    if model.tenant_id != principal.tenant_id:
        return False
    if model.owner_id == principal.user_id or model.visibility == "public" or tenant_admin(model, principal):
        return True
    return model.visibility == "roles" and bool(set(principal.roles or ()) & set(model.shared_roles or ()))


def can_manage(model: Owned, principal: Principal) -> bool:
    """Its owner, or an admin of its tenant."""
    return model.tenant_id == principal.tenant_id and (model.owner_id == principal.user_id
                                                       or tenant_admin(model, principal))
