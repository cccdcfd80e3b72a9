"""The job's VAE: an imported VAE for the checkpoint's base, or the checkpoint's own."""

from __future__ import annotations

from easel_gateway.admission.registry import Registry
from easel_proto.v1.common import Principal
from easel_proto.v1.registry import ModelInfo

NO_VAE = ("", "Automatic", "None")  # the web UI's names for the checkpoint's own VAE


def wants_vae(name: str | None) -> bool:
    """Whether `name` asks for a VAE model (not the checkpoint's own)."""
    return name is not None and name not in NO_VAE


async def vae(name: str | None, checkpoint: ModelInfo, caller: Principal, registry: Registry) -> ModelInfo | None:
    """A VAE model for the checkpoint's base; None (the checkpoint's own) for none, Automatic or None."""
    if not wants_vae(name):
        return None
    return await registry.for_checkpoint(name, caller, "vae", "vae", checkpoint)
