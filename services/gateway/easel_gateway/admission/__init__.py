"""Request admission: a job request (native, or a web UI payload converted to one) and its caller in, the pool and
GenerationSpec a worker runs out, every name resolved and every limit checked before anything is stored or queued.

One entry (`Admission.admit`, in admit.py) and a module per feature: limits.py (pool, steps, image count, sizes,
seed resize), prompts.py (styles, extra-network tags, LoRAs, embeddings), vae.py, hires.py, upscalers.py (extras),
sdxl.py (refiner, SDXL conditioning), controlnet.py, inputs.py (client images), scripts.py (how many jobs a web UI
call may expand to), registry.py, the one registry client, and gate.py, the gateway's submission places.
"""

from easel_gateway.admission.admit import Admission, Admitted, request_hash, slot
from easel_gateway.admission.registry import Registry

__all__ = ["Admission", "Admitted", "Registry", "request_hash", "slot"]
