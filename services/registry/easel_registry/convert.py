"""The converter process: a pickled checkpoint (.ckpt/.pt/.pth/.bin) in, a .safetensors file out.

Run only as a separate process (`python -I convert.py SRC DST`, started by easel_registry.conversion), never
imported into the registry service: it imports torch, and a pickle is only ever opened here. It uses only the
standard library, torch and safetensors, so any interpreter that has those two can run it by its path.

Defences, in order: resource limits set before torch is imported (address space, CPU seconds, file size, no
core dumps); an audit hook that refuses sockets, subprocesses, exec and fork from then on; and
`torch.load(weights_only=True)`, whose unpickler refuses every global outside torch's allow-list of tensor
types, so a pickle that would call os.system or open() through __reduce__ is refused before anything runs.
The result must be plain tensors: the web UI's reading of a checkpoint (its `state_dict` when it has one, the
whole dict otherwise), nested dicts flattened with dots; any other value is refused by its key.

Exit status and the last stdout line (JSON {"error": ...}) tell the parent what happened: 0 written,
2 refused (not plain tensors, not a checkpoint), 3 torch or safetensors missing, 4 out of memory.
"""

from __future__ import annotations

import importlib
import json
import resource
import sys
import zipfile
from collections.abc import Iterator
from typing import Any

REFUSED, NO_TORCH, NO_MEMORY = 2, 3, 4
# Python-level events the converter never needs once torch is imported; an attempt is a hostile file.
_FORBIDDEN_EVENTS = ("socket.", "subprocess.", "os.system", "os.exec", "os.spawn", "os.posix_spawn", "os.fork",
                     "os.forkpty", "pty.spawn", "ctypes.dlopen", "webbrowser.", "urllib.Request")


class Refused(Exception):
    """The file is not a checkpoint of plain tensors."""


def set_limits(memory_bytes: int, cpu_s: int, file_bytes: int) -> None:
    """Caps that hold for the rest of the process and anything it could start."""
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s))
    resource.setrlimit(resource.RLIMIT_FSIZE, (file_bytes, file_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _audit(event: str, _args: tuple) -> None:
    if event.startswith(_FORBIDDEN_EVENTS):
        raise PermissionError(f"the converter may not {event}")


def flatten(loaded: Any, is_tensor: Any) -> dict[str, Any]:
    """The tensors the web UI would read from a loaded checkpoint, by dotted name; Refused on anything else."""
    if not isinstance(loaded, dict):
        raise Refused(f"the file holds a {type(loaded).__name__}, not a dict of tensors")
    state = loaded.get("state_dict", loaded)  # the web UI takes `state_dict` when present, else the whole dict
    if not isinstance(state, dict):
        raise Refused("'state_dict' is not a dict of tensors")
    out: dict[str, Any] = {}
    for name, value in _walk(state, ""):
        if not is_tensor(value):
            raise Refused(f"{name[:100]!r} is a {type(value).__name__}, not a tensor")
        if name in out:
            raise Refused(f"{name[:100]!r} appears twice")
        out[name] = value
    if not out:
        raise Refused("the checkpoint holds no tensors")
    return out


def _walk(tree: dict, prefix: str) -> Iterator[tuple[str, Any]]:
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            yield from _walk(value, name + ".")
        else:
            yield name, value


def _unshared(tensors: dict[str, Any]) -> dict[str, Any]:
    """safetensors refuses tensors that share memory (tied weights): each after the first gets its own copy."""
    seen: set[tuple[int, int]] = set()
    out = {}
    for name, t in tensors.items():
        storage = (t.untyped_storage().data_ptr(), t.untyped_storage().nbytes())
        if storage in seen or not t.is_contiguous():
            t = t.contiguous().clone()
        else:
            seen.add(storage)
        out[name] = t
    return out


def convert(src: str, dst: str) -> int:
    """Load under weights_only, check, write; return the number of tensors written."""
    # by name: torch and safetensors belong to the converter's python, never to the registry's own dependencies
    torch = importlib.import_module("torch")
    save_file = importlib.import_module("safetensors.torch").save_file

    sys.addaudithook(_audit)  # after the imports: torch's own start-up may probe the system
    try:
        # mmap keeps a large checkpoint out of memory; only torch's zip format can be mapped
        loaded = torch.load(src, map_location="cpu", weights_only=True, mmap=zipfile.is_zipfile(src))
    except MemoryError:
        raise
    except Exception as exc:  # the weights_only unpickler's refusal, or a file that is no checkpoint at all
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if "Weights only load failed" in str(exc):
            first = _unsafe_reason(str(exc))
        raise Refused(first[:300]) from None
    tensors = _unshared(flatten(loaded, lambda v: isinstance(v, torch.Tensor)))
    save_file(tensors, dst, metadata={"format": "pt", "converted_from": "pickle"})
    return len(tensors)


def _unsafe_reason(message: str) -> str:
    """torch's long weights_only message, cut to the line that names what was refused."""
    for line in message.splitlines():
        if "GLOBAL" in line or "Unsupported" in line or "not an allowed global" in line:
            return "it is not plain tensors: " + line.strip().removeprefix("WeightsUnpickler error: ")
    return "it is not plain tensors (torch's weights_only loader refused it)"


def _answer(code: int, error: str | None = None, **extra: Any) -> int:
    print(json.dumps({"error": error, **extra}) if error else json.dumps(extra), flush=True)
    return code


def main(argv: list[str]) -> int:
    src, dst, memory, cpu_s, file_bytes = argv[0], argv[1], int(argv[2]), int(argv[3]), int(argv[4])
    set_limits(memory, cpu_s, file_bytes)
    try:
        # torch first: a missing torch is the likely case, and its name points at the fix
        importlib.import_module("torch")
        importlib.import_module("safetensors.torch")
    except ModuleNotFoundError as exc:
        return _answer(NO_TORCH, f"{exc.name} is not installed for the converter's python ({sys.executable})")
    except (ImportError, OSError, MemoryError) as exc:  # a library that cannot be mapped under the memory cap
        return _answer(NO_MEMORY, f"torch could not start under the memory limit: {str(exc)[:200]}")
    try:
        count = convert(src, dst)
    except Refused as exc:
        return _answer(REFUSED, str(exc))
    except MemoryError:
        return _answer(NO_MEMORY, "the checkpoint needs more memory than the converter may use")
    return _answer(0, tensors=count)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
