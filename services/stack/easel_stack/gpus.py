"""The machine's CUDA devices as the embedded autoscaler hands them to local workers: `gpus_per_worker` each.

A worker of a pool with `gpus_per_worker: n` gets n devices no other autoscaled worker holds, as
CUDA_VISIBLE_DEVICES, like a pod gets n `nvidia.com/gpu`. When too few are free the pool runs fewer workers than it
wants (as pods stay Pending in a cluster) and says so in the log. The devices are those the stack itself may use:
its own CUDA_VISIBLE_DEVICES when set, else every GPU `nvidia-smi -L` lists.

On a machine without CUDA devices `gpus_per_worker` is ignored and the workers run on the CPU: pool definitions are
meant to be shared with a cluster, and the same API should work on a laptop rather than refuse the pool there. The
stack's fixed workers (`--workers`, the configured pools) are not counted: they see every device.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess

log = logging.getLogger(__name__)


def visible_devices(env: dict[str, str] | None = None) -> list[str]:
    """The CUDA device ids the stack may hand out ([] on a CPU-only machine)."""
    env = os.environ if env is None else env
    given = env.get("CUDA_VISIBLE_DEVICES")
    if given is not None:
        return [d.strip() for d in given.split(",") if d.strip() and d.strip() != "-1"]
    smi = shutil.which("nvidia-smi")
    if smi is None:
        return []
    try:
        listed = subprocess.run([smi, "-L"], capture_output=True, text=True, timeout=10, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return [str(i) for i, line in enumerate(listed.splitlines()) if line.startswith("GPU ")]


class Devices:
    """Which devices each autoscaled worker holds (by an opaque holder: its process)."""

    def __init__(self, devices: list[str]) -> None:
        self.devices = devices
        self.held: dict[object, list[str]] = {}

    @property
    def cpu_only(self) -> bool:
        return not self.devices

    def free(self) -> list[str]:
        taken = {d for ds in self.held.values() for d in ds}
        return [d for d in self.devices if d not in taken]

    def take(self, count: int) -> list[str] | None:
        """`count` free devices, or None when fewer are free (on a CPU-only machine: [], nothing to hold)."""
        if self.cpu_only:
            return []
        free = self.free()
        return free[:count] if len(free) >= count else None

    def hold(self, holder: object, devices: list[str]) -> None:
        if devices:
            self.held[holder] = devices

    def release(self, holder: object) -> None:
        self.held.pop(holder, None)
