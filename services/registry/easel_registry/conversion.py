"""Turn a fetched pickled checkpoint into safetensors in a separate, confined process (easel_registry.convert).

The registry never unpickles and never imports torch: it starts `python -I convert.py` (EASEL_CONVERT_PYTHON,
default this interpreter) with
- an environment of its own: PATH, HOME/TMPDIR in the work folder and thread caps; none of the registry's
  variables (database URL, S3 keys, NATS credentials, tokens) reach it, and -I ignores PYTHON* variables;
- no network: a new user and network namespace (`unshare --user --net`) where the kernel allows one
  (checked once and logged when not);
- no privileges: when the registry runs as root, the converter runs as EASEL_CONVERT_UID (nobody) in a folder
  it owns, reading a copy of the file; when that user cannot run the interpreter it stays the registry's user
  (logged);
- limits set in the process before torch loads: address space (EASEL_CONVERT_MEMORY_BYTES plus three times the
  file: the mapping, the tensors and the written copy), CPU seconds and the size of what it writes; a
  wall-clock timeout kills its whole process group.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
from functools import cache
from pathlib import Path, PurePosixPath

from easel_proto.errors import InvalidInput
from easel_registry import convert
from easel_registry.settings import RegistrySettings
from easel_registry.sources import Fetched, hash_file

log = logging.getLogger(__name__)
SCRIPT = Path(convert.__file__).resolve()
_MIB = 1024 * 1024


def converted_path(path: str) -> str:
    """The safetensors name a converted file is registered under: `model.ckpt` -> `model.safetensors`."""
    return str(PurePosixPath(path).with_suffix(".safetensors"))


async def to_safetensors(fetched: Fetched, settings: RegistrySettings, tmp: Path) -> Fetched:
    """Convert one pickled file; the result is hashed afresh. InvalidInput("source", reason) when refused."""
    work = tmp / "convert"
    work.mkdir(mode=0o700)
    src, dst = work / "in.pt", work / "out.safetensors"
    await asyncio.to_thread(shutil.copyfile, fetched.local, src)  # its own copy: it reads nothing else of ours
    size = src.stat().st_size
    limits = [settings.convert_memory_bytes + 3 * size, int(settings.convert_timeout_s) + 1, max(2 * size, 64 * _MIB)]
    code, out, err = await run(settings, work, SCRIPT, [str(src), str(dst), *map(str, limits)])
    _check_outcome(code, out, err, settings)
    path = converted_path(fetched.path)
    local = tmp / "converted" / path
    local.parent.mkdir(parents=True, exist_ok=True)
    await asyncio.to_thread(shutil.move, dst, local)
    await asyncio.to_thread(shutil.rmtree, work, True)
    size, digest = await asyncio.to_thread(hash_file, local)
    log.info("converted a pickled checkpoint to %s (%d bytes)", path, size)
    return Fetched(path, local, size, digest)


async def run(settings: RegistrySettings, work: Path, script: Path, args: list[str]) -> tuple[int | None, bytes, bytes]:
    """Run `python -I script args` confined as the module docstring says, in `work` (the one folder it may
    write); return its exit status and output. InvalidInput when it outlives EASEL_CONVERT_TIMEOUT_S."""
    python = settings.convert_python or sys.executable
    uid = await _unprivileged(python, settings, work, script)
    argv = [python, "-I", str(script), *args]
    if await asyncio.to_thread(namespaces_work):
        argv = ["unshare", "--user", "--net", "--", *argv]
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(work), "TMPDIR": str(work), "LANG": "C.UTF-8",
           "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    ids = {"user": uid, "group": uid, "extra_groups": []} if uid is not None else {}
    proc = await asyncio.create_subprocess_exec(
        *argv, cwd=work, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        start_new_session=True, **ids)
    try:
        out, err = await asyncio.wait_for(proc.communicate(), timeout=settings.convert_timeout_s)
    except (TimeoutError, asyncio.CancelledError) as exc:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        await proc.wait()
        if isinstance(exc, asyncio.CancelledError):
            raise
        raise InvalidInput("source", f"converting the pickled checkpoint took longer than "
                                     f"{settings.convert_timeout_s:g} s (EASEL_CONVERT_TIMEOUT_S)") from None
    return proc.returncode, out, err


async def _unprivileged(python: str, settings: RegistrySettings, work: Path, script: Path) -> int | None:
    """The uid to run as: EASEL_CONVERT_UID when the registry is root and that user can run `python` on `script`
    and use `work` (handed to it); None (the registry's own user, logged) otherwise."""
    uid = settings.convert_uid
    if os.geteuid() != 0 or uid is None:
        return None
    work.parent.chmod(0o711)  # the import's temp folder: passed through, never listed
    for p in (work, *work.iterdir()):
        os.chown(p, uid, uid)
    if await asyncio.to_thread(_runs_as, python, uid, work, script):
        return uid
    log.warning("the converter cannot run %s as uid %d here (can it reach the interpreter and the data dir?); it "
                "runs as the registry's own user", python, uid)
    for p in (work, *work.iterdir()):  # back: in its user namespace even root reads only what it owns
        os.chown(p, os.getuid(), os.getgid())
    return None


def _check_outcome(code: int | None, out: bytes, err: bytes, settings: RegistrySettings) -> None:
    lines = out.decode(errors="replace").strip().splitlines()
    try:
        answer = json.loads(lines[-1]) if lines else {}
    except ValueError:
        answer = {}
    reason = answer.get("error") if isinstance(answer, dict) else None
    if code == 0 and not reason:
        return
    prefix = "the pickled checkpoint was refused: "
    if code == convert.REFUSED:
        raise InvalidInput("source", prefix + str(reason))
    if code == convert.NO_TORCH:
        raise InvalidInput("source", f"pickled checkpoints cannot be converted here: {reason}; set "
                                     "EASEL_CONVERT_PYTHON to a python with torch, or import a .safetensors file")
    if code == convert.NO_MEMORY or "Memory" in err.decode(errors="replace")[-500:]:
        raise InvalidInput("source", f"{prefix}it needs more memory than the converter may use "
                                     f"(EASEL_CONVERT_MEMORY_BYTES={settings.convert_memory_bytes})")
    if code is not None and code < 0 and -code in (signal.SIGXCPU, signal.SIGKILL):
        raise InvalidInput("source", f"{prefix}it used more than {settings.convert_timeout_s:g} CPU seconds")
    tail = err.decode(errors="replace").strip().splitlines()[-1:] or ["no output"]
    log.warning("the converter failed (exit %s): %s", code, err.decode(errors="replace")[-2000:])
    raise InvalidInput("source", f"{prefix}the converter failed (exit {code}: {tail[0][:200]})")


@cache
def namespaces_work() -> bool:
    """Whether this kernel lets an unprivileged process take its own user and network namespace."""
    try:
        ok = subprocess.run(["unshare", "--user", "--net", "--", "true"], capture_output=True, timeout=10,
                            env={"PATH": "/usr/bin:/bin"}).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        ok = False
    if not ok:
        log.warning("no network namespace for the checkpoint converter (unshare --user --net failed); it runs "
                    "with the host's network, still confined by torch's weights_only loader and an audit hook")
    return ok


def _runs_as(python: str, uid: int, work: Path, script: Path) -> bool:
    """Whether `uid` can start `python`, read `script` and the files in `work`, and write there (a probe)."""
    code = ("import os, sys; w = sys.argv[1]; open(sys.argv[2], 'rb').close(); "
            "[open(os.path.join(w, f), 'rb').close() for f in os.listdir(w)]; "
            "p = os.path.join(w, '.probe'); open(p, 'w').close(); os.remove(p)")
    try:
        return subprocess.run([python, "-I", "-c", code, str(work), str(script)], user=uid, group=uid,
                              extra_groups=[], capture_output=True, timeout=30, cwd="/",
                              env={"PATH": "/usr/bin:/bin"}).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False
