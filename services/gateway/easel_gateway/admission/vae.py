"""The job's VAE: an imported VAE for the checkpoint's base, or the checkpoint's own."""

from __future__ import annotations

from easel_gateway.admission.registry import Registry
from easel_proto.v1.common import Principal
from easel_proto.v1.registry import ModelInfo

NO_VAE = ("", "Automatic", "None")  # the web UI's names for the checkpoint's own VAE


async def vae(name: str | None, checkpoint: ModelInfo, caller: Principal, registry: Registry) -> ModelInfo | None:
    """A VAE model for the checkpoint's base; None (the checkpoint's own) for none, Automatic or None."""
    if name is None or name in NO_VAE:
        return None
    return await registry.for_checkpoint(name, caller, "vae", "vae", checkpoint)
