"""What a child process (a worker, a trainer) inherits from its parent's environment besides the EASEL_* settings it
is given: the system's and the ML libraries' variables, never a secret of the parent (admin key, caller key, database
address, another identity's NATS seed)."""

from __future__ import annotations

import os

SYSTEM_ENV = {"PATH", "HOME", "USER", "LOGNAME", "LANG", "TZ", "TMPDIR", "VIRTUAL_ENV", "LD_LIBRARY_PATH",
              "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "COVERAGE_PROCESS_START"}
SYSTEM_PREFIXES = ("LC_", "PYTHON", "HF_", "HUGGINGFACE_", "TRANSFORMERS_", "DIFFUSERS_", "TORCH", "CUDA",
                   "NVIDIA_", "PYTORCH_")


def system_env(wanted: set[str] = frozenset()) -> dict[str, str]:
    """The system's variables of this process's environment, and those named in `wanted`."""
    return {k: v for k, v in os.environ.items() if k in wanted or k in SYSTEM_ENV or k.startswith(SYSTEM_PREFIXES)}
