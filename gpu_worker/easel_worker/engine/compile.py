"""Compiled UNet and VAE decode: torch.compile per model and input bucket, built in the background.

A part (the UNet's forward, the VAE's decode) is served eagerly until its compiled graph for the call's bucket
(the shapes, dtypes and devices of its tensors, the kinds of its other arguments) is ready; the first eligible call
of a new bucket hands a copy of its inputs to a background thread that compiles and runs the graph once, then
later calls of that bucket take it. A compile that fails is logged and counted and the bucket stays eager.

Only jobs that leave the model's modules as they were loaded take the graph. LoRAs do: they are merged into the
weights in place for the job (lora.py), and the graph reads the weights as inputs (Dynamo's inlined nn.Modules,
inductor without freezing), so a LoRA swap neither recompiles nor leaves the graph. A job with hypernetworks or
seamless tiling (forward hooks, convolution padding modes: Dynamo guards on both, so the graph would recompile)
runs eagerly on the same weights and holds `Compiler.structure`, as does the loading of a LoRA (peft wraps the
modules until lora.py takes its layers out), so no compile traces the modules half-changed.

Inductor's artefacts are saved with torch.compiler.save_cache_artifacts under a key of everything that makes
them invalid (model hash, part, bucket, torch and diffusers versions, GPU kind, compile mode) on the model cache
volume every worker of the pool mounts, and loaded before a compile: a cold worker then compiles in seconds.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import json
import logging
import os
import queue
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

import torch
from prometheus_client import Counter, Histogram
from torch.utils._pytree import tree_flatten, tree_map

log = logging.getLogger(__name__)

MODES = ("off", "default", "reduce-overhead", "max-autotune", "max-autotune-no-cudagraphs")
COMPILES = Counter("easel_worker_compiles_total",
                   "Background compiles of a model part per input bucket, by outcome (compiled, cached, failed).",
                   ["part", "outcome"])
COMPILE_SECONDS = Histogram("easel_worker_compile_seconds", "Time a background compile took until its graph ran.",
                            ["part"], buckets=(1, 2, 5, 10, 20, 40, 80, 160, 320, 640))


def resolve_mode(setting: str, device: torch.device) -> str:
    """EASEL_COMPILE's mode for this device: auto compiles on CUDA only (a CPU worker serves tests and demos)."""
    if setting == "auto":
        return "default" if device.type == "cuda" else "off"
    if setting not in MODES:
        raise ValueError(f"EASEL_COMPILE must be auto or one of {', '.join(MODES)}; got {setting!r}")
    return setting


@dataclass(frozen=True)
class CacheKey:
    """What compiled artefacts depend on; two workers with equal keys can share them."""

    model: str  # the model's content hash (its id and source where it has none)
    part: str  # "unet", "vae"
    bucket: str
    mode: str
    gpu: str
    torch: str = torch.__version__
    diffusers: str = ""

    def digest(self) -> str:
        text = json.dumps(asdict(self), sort_keys=True)
        return f"{self.part}-{hashlib.sha256(text.encode()).hexdigest()[:40]}"


def bucket_of(args: Sequence[Any], kwargs: dict[str, Any]) -> str:
    """A call's input bucket: tensors by shape, dtype and device; other values by type, small enums by value."""
    leaves, spec = tree_flatten((tuple(args), kwargs))

    def describe(x: Any) -> str:
        if isinstance(x, torch.Tensor):
            return f"T{tuple(x.shape)}{str(x.dtype).removeprefix('torch.')}@{x.device.type}"
        if x is None or isinstance(x, (bool, str)):
            return repr(x)
        return type(x).__name__  # numbers: one bucket for every value

    grad = "inference" if torch.is_inference_mode_enabled() else ("grad" if torch.is_grad_enabled() else "nograd")
    return f"{grad}|{spec}|{','.join(describe(x) for x in leaves)}"


class Mirror(Protocol):
    """A second home for compiled artefacts shared by every worker (the object store: easel_worker.compiled)."""

    def get(self, name: str) -> bytes | None: ...
    def put(self, name: str, data: bytes) -> None: ...


class CompileCache:
    """Compiled artefacts in a folder, one file per key (written whole, then renamed into place), and in `mirror`
    when there is one: a key missing here is looked for there, one saved here is copied there."""

    def __init__(self, root: Path, *, save: Callable[[], Any] | None = None,
                 load: Callable[[bytes], Any] | None = None, mirror: Mirror | None = None) -> None:
        self.root = Path(root)
        self.mirror = mirror
        self._save = save or torch.compiler.save_cache_artifacts
        self._load = load or torch.compiler.load_cache_artifacts

    def path(self, key: CacheKey) -> Path:
        return self.root / f"{key.digest()}.bin"

    def load(self, key: CacheKey) -> bool:
        """Hand the key's artefacts to torch's caches; False when there are none (or they are unreadable)."""
        path = self.path(key)
        try:
            data = path.read_bytes()
        except OSError:
            data = self.mirror.get(path.name) if self.mirror is not None else None
            if not data:
                return False
            self._write(path, data)
        try:
            self._load(data)
        except Exception as exc:  # a torch upgrade without a key change, a torn file: compile from scratch
            log.warning("compiled artefacts %s could not be loaded (%s); compiling", path.name, exc)
            return False
        return True

    def save(self, key: CacheKey) -> None:
        """Store what torch compiled so far in this process under key."""
        got = self._save()
        if not got or not got[0]:
            return
        path = self.path(key)
        self._write(path, got[0])
        if self.mirror is not None:
            self.mirror.put(path.name, got[0])

    def _write(self, path: Path, data: bytes) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)


class CompiledPart:
    """A module's method, served eagerly or by its compiled graph per bucket; installed on the module."""

    def __init__(self, module: Any, method: str, *, part: str, model: str, compiler: Compiler) -> None:
        self.original = getattr(module, method)
        functools.update_wrapper(self, self.original)
        self.__signature__ = inspect.signature(self.original)
        self.module, self.method, self.part, self.model, self.compiler = module, method, part, model, compiler
        self.state: dict[str, str] = {}  # bucket -> pending | ready | failed
        self.enabled = False  # set per job: only jobs that leave the modules as loaded take the graph
        self._compiled: Callable[..., Any] | None = None
        setattr(module, method, self)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if not self.enabled:
            return self.original(*args, **kwargs)
        bucket = bucket_of(args, kwargs)
        state = self.state.get(bucket)
        if state == "ready":
            try:
                return self.compiled()(*args, **kwargs)
            except Exception as exc:
                if isinstance(exc, torch.OutOfMemoryError):
                    raise
                self.failed(bucket, exc)
        elif state is None:
            self.state[bucket] = "pending"
            self.compiler.submit(self, bucket, args, kwargs)
        return self.original(*args, **kwargs)

    def compiled(self) -> Callable[..., Any]:
        if self._compiled is None:
            self._compiled = self.compiler.compile_fn(self.original)
        return self._compiled

    def key(self, bucket: str) -> CacheKey:
        return self.compiler.key(self.model, self.part, bucket)

    def failed(self, bucket: str, exc: BaseException) -> None:
        self.state[bucket] = "failed"
        COMPILES.labels(self.part, "failed").inc()
        log.warning("compiled %s failed for bucket %s; it stays eager: %s: %s", self.part, bucket,
                    type(exc).__name__, str(exc).strip()[:300])


def _default_compile(mode: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def compile_fn(fn: Callable[..., Any]) -> Callable[..., Any]:
        return torch.compile(fn, mode=None if mode == "default" else mode, dynamic=False)

    return compile_fn


class Compiler:
    """The engine's compiles: one background thread, one artefact cache, one structure lock."""

    def __init__(self, mode: str, cache: CompileCache | None, *, gpu: str,
                 compile_fn: Callable[[Callable[..., Any]], Callable[..., Any]] | None = None) -> None:
        if mode not in MODES:
            raise ValueError(f"EASEL_COMPILE must be one of {', '.join(MODES)}; got {mode!r}")
        self.mode, self.cache, self.gpu = mode, cache, gpu
        self.compile_fn = compile_fn or _default_compile(mode)
        # Held by a job that patches modules (hypernetwork, tiling), while a LoRA loads, and by a compile.
        self.structure = threading.RLock()
        self._queue: queue.Queue[tuple[CompiledPart, str, Any, Any, str] | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._idle = threading.Event()
        self._idle.set()
        if mode != "off":
            import diffusers

            self._diffusers = diffusers.__version__
            # Dynamo keeps graphs per code object, and every UNet of a family shares UNet2DConditionModel.forward.
            torch._dynamo.config.cache_size_limit = max(torch._dynamo.config.cache_size_limit, 64)
            torch._dynamo.config.accumulated_cache_size_limit = max(
                torch._dynamo.config.accumulated_cache_size_limit, 512)
        else:
            self._diffusers = ""

    @property
    def enabled(self) -> bool:
        return self.mode != "off"

    def key(self, model: str, part: str, bucket: str) -> CacheKey:
        return CacheKey(model=model, part=part, bucket=bucket, mode=self.mode, gpu=self.gpu,
                        diffusers=self._diffusers)

    def attach(self, module: Any, method: str, *, part: str, model: str) -> CompiledPart | None:
        """Serve module.method through a CompiledPart; None when compiling is off."""
        if not self.enabled:
            return None
        return CompiledPart(module, method, part=part, model=model, compiler=self)

    @contextmanager
    def serving(self, parts: Sequence[CompiledPart], plain: bool) -> Iterator[None]:
        """For one job: compiled graphs when `plain` (the job leaves the modules as loaded); else eager, with the
        structure lock held so no compile traces modules the job patches."""
        if not parts:
            yield
            return
        if not plain:
            self.structure.acquire()
        for part in parts:
            part.enabled = plain
        try:
            yield
        finally:
            for part in parts:
                part.enabled = False
            if not plain:
                self.structure.release()

    def submit(self, part: CompiledPart, bucket: str, args: Any, kwargs: Any) -> None:
        """Compile part for bucket in the background, on a copy of the call's inputs."""
        grad = "inference" if torch.is_inference_mode_enabled() else str(torch.is_grad_enabled())
        copy = tree_map(lambda x: x.detach().clone() if isinstance(x, torch.Tensor) else x, (tuple(args), kwargs))
        self._idle.clear()
        self._queue.put((part, bucket, copy[0], copy[1], grad))
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="easel-compile", daemon=True)
            self._thread.start()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until no compile is queued or running (benchmarks, tests); False on timeout."""
        return self._idle.wait(timeout)

    def close(self) -> None:
        if self._thread is not None:
            self._queue.put(None)

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            try:
                self._compile(*item)
            finally:
                if self._queue.empty():
                    self._idle.set()

    def _compile(self, part: CompiledPart, bucket: str, args: Any, kwargs: Any, grad: str) -> None:
        started = time.perf_counter()
        key = part.key(bucket)
        try:
            cached = self.cache is not None and self.cache.load(key)
            modes = torch.inference_mode() if grad == "inference" else torch.set_grad_enabled(grad == "True")
            with self.structure, modes:
                fn = part.compiled()
                # twice: CUDA-graph modes record on a later call than the first
                for _ in range(2 if self.mode in ("reduce-overhead", "max-autotune") else 1):
                    fn(*args, **kwargs)
            if torch.cuda.is_available() and torch.cuda.is_initialized():
                torch.cuda.synchronize()
            if self.cache is not None and not cached:
                self.cache.save(key)
        except Exception as exc:
            part.failed(bucket, exc)
            return
        seconds = time.perf_counter() - started
        part.state[bucket] = "ready"
        COMPILES.labels(part.part, "cached" if cached else "compiled").inc()
        COMPILE_SECONDS.labels(part.part).observe(seconds)
        log.info("compiled %s of %s for bucket %s in %.1f s (%s)", part.part, part.model, bucket, seconds,
                 "from the cache" if cached else "new")
