"""`python -m easel_trainer job --run RUN.json --work DIR`: one launched run of a training, as the service side
starts it (a local process, or a Kubernetes Job's pod).

RUN.json is a TrainingRun: the spec, where the base model and the dataset are in the object store, the prefix its
outputs go to (`{tenant}/trainings/{id}/`) and the run's lease. The entry point reads its settings from EASEL_*
(NATS address and TLS, the `trainer` identity's seed, the object store), then:

1. fetches the base model (every file checked against its sha256), the dataset (and class images) into
   `DIR/inputs/`, reading only keys under the owner's tenant, and, when DIR holds no checkpoint (a new node after
   a preemption), the newest checkpoint the run stored;
2. runs `easel_trainer.run` in DIR with a reporter that uploads what the run writes before it tells anyone: samples
   to `samples/`, each checkpoint to `checkpoints/` (so a run preempted on one node resumes on another), the
   artefact to `artefact/`; and publishes every event on `{ns}.trainings.events.{id}.run.{type}` with the lease,
   and the run's log lines, bounded and with secrets masked, as `run.log` batches (easel_trainer.logs).

It holds `--lock` (flock) for as long as it lives, so a launcher that restarts can tell it is still running. Exit
status as `run`: 0 succeeded, 1 failed (the failed event says why), 75 stopped after a checkpoint (SIGTERM).
"""

from __future__ import annotations

import asyncio
import fcntl
import hashlib
import logging
import os
import secrets
import shutil
import signal
import sys
import time
from pathlib import Path
from typing import Any

from easel_common.base_configs import fetch as fetch_base_configs
from easel_proto.errors import EaselError, InvalidInput, TrainingFailed
from easel_proto.naming import LEASE_HEADER, dataset_prefix
from easel_proto.v1.trainings import TrainingDatasetFiles, TrainingEvent, TrainingLogEvent, TrainingRun, TrainingSpec
from easel_proto.wire import encode, now

from .logs import LogRelay

log = logging.getLogger("easel_trainer.job")
INTERRUPTED = 75
PUBLISH_PATIENCE_S = 60.0  # how long an event waits for NATS before the run gives up on it
PROGRESS_LOG_S = 10.0  # how often the run logs a progress line


def main(run_file: Path, work: Path, lock: Path | None, device: str | None) -> int:
    from easel_common.settings import CommonSettings

    held = _hold(lock) if lock else None  # noqa: F841 (kept open: the lock lives as long as the process)
    run = TrainingRun.model_validate_json(Path(run_file).read_text(encoding="utf-8"))
    asked: list[int] = []
    signal.signal(signal.SIGTERM, lambda signum, _f: asked.append(signum))
    signal.signal(signal.SIGINT, lambda signum, _f: asked.append(signum))
    return asyncio.run(_job(run, Path(work), CommonSettings(), device, lambda: bool(asked)))


def _hold(lock: Path, patience_s: float = 5.0) -> Any:
    """Hold the lock for the life of the process. A launcher asking whether a trainer lives takes it for an instant,
    so a busy lock is tried again for a few seconds before it means another trainer."""
    lock.parent.mkdir(parents=True, exist_ok=True)
    f = open(lock, "w")  # noqa: SIM115 (held until the process ends)
    deadline = time.monotonic() + patience_s
    while True:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return f
        except BlockingIOError:
            if time.monotonic() > deadline:
                print(f"another trainer holds {lock}", file=sys.stderr)
                raise SystemExit(1) from None
            time.sleep(0.05)


async def _job(run: TrainingRun, work: Path, settings: Any, device: str | None, stop) -> int:
    from easel_common.natsio import close, connect
    from easel_common.storage import open_store

    from . import Fanout, JsonLinesReporter
    from . import run as train

    store = open_store(settings)
    nc = await connect(settings.nats_url, f"easel-trainer-{run.training_id[:8]}", settings.nats_identity("trainer"))
    relay = Relay(nc, settings.names, run, store, work, asyncio.get_running_loop())
    logs = LogRelay(run.training_id, relay.send_log)
    relay.logs = logs
    logging.getLogger().addHandler(logs)
    logging.captureWarnings(True)
    flusher = asyncio.create_task(logs.run())
    try:
        try:
            spec = await Inputs(run, store, work).fetch()
        except EaselError as exc:
            log.error("the run's inputs: %s", exc.message)
            await logs.flush_now()
            await relay.send(TrainingEvent(type="failed", at=now(), step=0, total_steps=1, error=exc.to_wire()))
            return 1
        reporter = Fanout([JsonLinesReporter(work / "progress.jsonl"), relay])
        try:
            final = await asyncio.to_thread(train, spec, work, reporter=reporter, stop=stop, device=device)
        except EaselError:  # reported (and logged) by the run as its failed event already
            return 1
        return INTERRUPTED if final.type == "interrupted" else 0
    finally:
        flusher.cancel()
        logging.getLogger().removeHandler(logs)
        await logs.flush_now()
        await close(nc)
        await store.close()


class Inputs:
    """The run's inputs brought from the object store into `work/inputs`, and the spec pointed at them."""

    def __init__(self, run: TrainingRun, store: Any, work: Path) -> None:
        self.run, self.store, self.work = run, store, work
        self.root = work / "inputs"

    async def fetch(self) -> TrainingSpec:
        run = self.run
        spec = run.spec.model_copy(deep=True)
        spec.model.path = str(await self._base())
        if self.run.base.format == "safetensors":  # a single file: its base's configs and tokenizers beside it
            spec.model.config_path = str(await self._configs())
        spec.dataset.path = str(await self._dataset(run.dataset, self.root / "dataset", "dataset"))
        if run.class_dataset is not None and spec.dreambooth is not None:
            folder = await self._dataset(run.class_dataset, self.root / "class", "dreambooth.class_dataset")
            spec.dreambooth.class_data_path = str(folder)
        if run.class_images and spec.dreambooth is not None:
            spec.dreambooth.class_data_path = str(await self._class_images(self.root / "class"))
        await self._checkpoint()
        return spec

    async def _base(self) -> Path:
        base, tenant = self.run.base, self.run.owner.tenant_id
        if base.source.startswith("builtin:"):  # the built-in tiny models, for tests: built, not fetched
            try:
                from easel_worker.engine.tiny import ensure_tiny_sd
            except ImportError:
                raise InvalidInput("base_model", "built-in models need easel-gpu-worker beside the trainer") from None
            # a local launcher shares one folder of them between its runs (built once, atomically)
            cache = os.environ.get("EASEL_TRAINER_BUILTIN_DIR")
            folder = Path(cache) if cache else self.root / "builtin"
            return await asyncio.to_thread(ensure_tiny_sd, folder, base.source.removeprefix("builtin:"))
        folder = self.root / "base"
        for f in base.files:
            if not f.key.startswith(f"{tenant}/models/"):
                raise InvalidInput("base_model", f"{f.key} is not a model of the owner's tenant")
            await self._get(f.key, folder / f.path, f.sha256, "base_model")
        if base.format == "diffusers":
            return folder
        if base.format == "safetensors" and len(base.files) == 1:
            return folder / base.files[0].path
        raise InvalidInput("base_model", f"a {base.format} base cannot be trained")

    async def _configs(self) -> Path:
        """The single-file base's configs and tokenizers, as the registry keeps them for its base (sd15, sd21, sdxl)."""
        base = self.run.base.base
        folder = await fetch_base_configs(self.store, base, self.root / "configs")
        if folder is None:
            raise InvalidInput("base_model", f"the object store has no {base} configs for a single-file base: the "
                                             "registry fetches them on import, or `easel configs import` them")
        return folder

    async def _dataset(self, dataset: TrainingDatasetFiles, folder: Path, field: str) -> Path:
        prefix = dataset_prefix(self.run.owner.tenant_id, dataset.id)
        folder.mkdir(parents=True, exist_ok=True)
        for f in dataset.files:
            if not f.key.startswith(prefix) or (f.caption_key and not f.caption_key.startswith(prefix)):
                raise InvalidInput(field, f"{f.key} is not in the dataset's folder")
            name = Path(f.path).name
            await self._get(f.key, folder / name, f.sha256, field)
            if f.caption is not None:
                (folder / name).with_suffix(".txt").write_text(f.caption, encoding="utf-8")
        return folder

    async def _class_images(self, folder: Path) -> Path:
        """The class images generated for the training (the owner's txt2img job images), beside any of
        class_dataset's, as generated-NNNN.png (their keys carry no digest: only the owner's job images are read)."""
        owner = self.run.owner
        mine = f"{owner.tenant_id}/{owner.user_id}/jobs/"
        folder.mkdir(parents=True, exist_ok=True)
        for i, key in enumerate(self.run.class_images):
            if not key.startswith(mine) or ".." in key.split("/"):
                raise InvalidInput("dreambooth.class_images", f"{key} is not an image of the owner's jobs")
            dest = folder / f"generated-{i:04d}.png"
            if not dest.is_file():  # fetched by an earlier attempt on this machine otherwise
                tmp = dest.with_name(f".{dest.name}.part")
                await self.store.get_file(key, tmp)
                tmp.replace(dest)
        return folder

    async def _get(self, key: str, dest: Path, sha256: str, field: str) -> None:
        if dest.is_file() and await asyncio.to_thread(_sha256, dest) == sha256:
            return  # fetched by an earlier attempt on this machine
        dest.parent.mkdir(parents=True, exist_ok=True)
        await self.store.get_file(key, dest)
        if await asyncio.to_thread(_sha256, dest) != sha256:
            dest.unlink(missing_ok=True)
            raise InvalidInput(field, f"{key} does not match its sha256")

    async def _checkpoint(self) -> None:
        """The newest checkpoint the run stored, when the work dir has none (another node's run was preempted)."""
        from .checkpoints import latest

        local = self.work / "checkpoints"
        if latest(local) is not None:
            return
        prefix = f"{self.run.prefix}checkpoints/"
        keys = await self.store.list(prefix)
        folders = sorted({k[len(prefix):].split("/", 1)[0] for k in keys if k.endswith("/state.json")})
        if not folders:
            return
        newest = folders[-1]
        tmp = local / f".fetch-{newest}"
        shutil.rmtree(tmp, ignore_errors=True)
        for key in keys:
            if key.startswith(f"{prefix}{newest}/"):
                dest = tmp / key[len(prefix) + len(newest) + 1:]
                dest.parent.mkdir(parents=True, exist_ok=True)
                await self.store.get_file(key, dest)
        tmp.rename(local / newest)
        log.info("resuming from the stored checkpoint %s", newest)


class Relay:
    """The reporter that carries a run's events to the service side: files to the store first, then the event on
    NATS with the run's lease. It runs on the training thread and waits for each publish to be stored."""

    def __init__(self, nc: Any, names: Any, run: TrainingRun, store: Any, work: Path,
                 loop: asyncio.AbstractEventLoop) -> None:
        self.js, self.names, self.run, self.store, self.work, self.loop = nc.jetstream(), names, run, store, work, loop
        self.token = secrets.token_hex(4)  # this process's events are told apart from an earlier attempt's
        self.sent = 0
        self.logs: LogRelay | None = None
        self.progress_logged = 0.0

    def report(self, event: TrainingEvent) -> None:
        future = asyncio.run_coroutine_threadsafe(self._report(event), self.loop)
        try:
            future.result(timeout=PUBLISH_PATIENCE_S * 4)
        except EaselError:
            raise
        except Exception as exc:
            if event.type == "progress":  # a lost progress line costs nothing; the next one says as much
                log.warning("could not report step %d: %s", event.step, exc)
                return
            raise TrainingFailed(f"could not report the run's {event.type} event: {type(exc).__name__}") from exc

    async def _report(self, event: TrainingEvent) -> None:
        prefix = self.run.prefix
        if event.type == "sample":
            for path in event.samples:
                await self.store.put_file(prefix + path, self.work / path, "image/png")
        elif event.type in ("checkpoint", "interrupted") and event.checkpoint:
            if event.artefact is not None:  # the model kept at this step, registrable on request
                await self._upload_tree(self.work / event.artefact.path, prefix + event.artefact.path.rstrip("/"))
            await self._upload_tree(self.work / event.checkpoint, prefix + event.checkpoint)
            await self._prune_checkpoints()
        elif event.type == "succeeded" and event.artefact is not None:
            await self._upload_tree(self.work / event.artefact.path, prefix + event.artefact.path.rstrip("/"))
        elif event.type == "failed" and event.error is not None:  # in the log before anyone reads its tail
            log.error("training failed: %s: %s", event.error.code, event.error.message)
            if self.logs is not None:  # the followers see the error before the training ends
                await self.logs.flush_now()
        elif event.type == "progress" and event.progress is not None:
            self._log_progress(event)
        await self.send(event)

    def _log_progress(self, event: TrainingEvent) -> None:
        """A progress line now and then (the first step, every PROGRESS_LOG_S, the last step)."""
        at = time.monotonic()
        if self.progress_logged and at - self.progress_logged < PROGRESS_LOG_S and event.step < event.total_steps:
            return
        self.progress_logged = at
        p = event.progress
        eta = f", eta {p.eta_s:.0f}s" if p.eta_s is not None else ""
        log.info("step %d/%d: loss %.4f, lr %.3g, %.2f samples/s%s", event.step, event.total_steps, p.loss, p.lr,
                 p.samples_per_s, eta)

    async def send_log(self, batch: TrainingLogEvent) -> None:
        """A batch of the run's log lines, once (a lost batch is not worth holding the run for)."""
        self.sent += 1
        await self.js.publish(self.names.training_run_events(self.run.training_id, "log"), encode(batch), timeout=5,
                              headers={LEASE_HEADER: self.run.lease,
                                       "Nats-Msg-Id": f"{self.run.training_id}.{self.token}.log.{self.sent}"})

    async def send(self, event: TrainingEvent) -> None:
        event = event.model_copy(update={"training_id": self.run.training_id})
        self.sent += 1
        msg_id = f"{self.run.training_id}.{self.token}.{event.type}.{event.step}.{self.sent}"
        subject = self.names.training_run_events(self.run.training_id, event.type)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + PUBLISH_PATIENCE_S
        while True:
            try:
                await self.js.publish(subject, encode(event), timeout=5,
                                      headers={LEASE_HEADER: self.run.lease, "Nats-Msg-Id": msg_id})
                return
            except Exception:
                if loop.time() > deadline:
                    raise
                await asyncio.sleep(1.0)

    async def _upload_tree(self, local: Path, key: str) -> None:
        if local.is_file():
            await self.store.put_file(key, local)
            return
        for path in sorted(p for p in local.rglob("*") if p.is_file()):
            await self.store.put_file(f"{key}/{path.relative_to(local).as_posix()}", path)

    async def _prune_checkpoints(self) -> None:
        """The store keeps the checkpoints the work dir keeps (the newest keep_checkpoints)."""
        kept = {p.name for p in (self.work / "checkpoints").iterdir() if p.is_dir()}
        prefix = f"{self.run.prefix}checkpoints/"
        for key in await self.store.list(prefix):
            if key[len(prefix):].split("/", 1)[0] not in kept:
                await self.store.delete(key)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()
