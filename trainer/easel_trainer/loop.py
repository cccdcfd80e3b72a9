"""The training loop every method shares: data, noise, loss, optimizer, checkpoints, samples, progress, resume.

Determinism: each micro-step's noise, timesteps and latent draw come from a CPU generator seeded by (seed, micro
step), the data order from (seed, epoch), and a checkpoint restores the trained weights, the optimizer, the LR
schedule and the global RNGs (dropout). So a run resumed from step N computes, on a CPU with the same software,
the same losses and the same artefact as one that never stopped (CUDA kernels are not bit-exact: close there).

Speed: the VAE and (when nothing in it trains) the text encoders are frozen, so each image's posterior (mean, std)
and each prompt's encoding are computed once and reused; a step draws its latents from the cached posterior as an
encode would. Losses reach the reporter in bursts (at most every FLUSH_S seconds) so the GPU is not made to wait
for a number every step.
"""

from __future__ import annotations

import logging
import math
import shutil
import time
from collections.abc import Callable, Sequence
from contextlib import suppress
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from accelerate import Accelerator
from accelerate.state import AcceleratorState
from accelerate.utils import set_seed
from diffusers.optimization import get_scheduler
from diffusers.training_utils import compute_snr

from easel_proto.errors import Conflict, EaselError, InvalidInput, TrainingFailed
from easel_proto.v1.trainings import (
    TrainingArtefact,
    TrainingEvent,
    TrainingProgress,
    TrainingSpec,
)

from . import checkpoints
from .data import Item, Order, load_image, scan, step_generator
from .events import JsonLinesReporter, Meter, Reporter, StopTraining, now
from .methods import METHODS, Exported
from .methods.base import digest as artefact_digest
from .models import Base, Conditioning, latent_stats, open_base, time_ids
from .spec import DREAMBOOTH_METHODS, parse, rates, run_digest, templates, weight_decay
from .workdir import WorkDir, write_atomic

log = logging.getLogger(__name__)

FLUSH_S = 1.0
_WEIGHT_DTYPES = {"no": torch.float32, "fp16": torch.float16, "bf16": torch.bfloat16}


def run(spec: TrainingSpec | dict, work_dir: Path, *, reporter: Reporter | None = None,
        stop: Callable[[], bool] | None = None, device: str | None = None) -> TrainingEvent:
    """Train (or resume, or find already done) the run the spec describes in work_dir; return its last event
    (succeeded or interrupted). A failure is reported as a failed event, then raised (EaselError)."""
    work = WorkDir(Path(work_dir))
    work.root.mkdir(parents=True, exist_ok=True)
    reporter = reporter or JsonLinesReporter(work.progress)
    trainer = None
    try:
        spec = parse(spec)
        with work.locked():
            done = work.finished(run_digest(spec), spec.max_steps)
            if done is not None:  # a relaunch after success: say so again, train nothing
                reporter.report(done)
                return done
            trainer = Trainer(spec, work, reporter, stop=stop, device=device)
            return trainer.run()
    except Conflict:
        raise  # the work dir is another run's: its progress is not ours to write into
    except Exception as exc:
        error = exc if isinstance(exc, EaselError) else _failure(exc)
        step = trainer.step if trainer is not None else 0
        total = trainer.total if trainer is not None else 1
        with suppress(Exception):
            reporter.report(TrainingEvent(type="failed", at=now(), step=step, total_steps=total,
                                          error=error.to_wire()))
        if error is exc:
            raise
        raise error from exc
    finally:
        if trainer is not None:
            trainer.close()


def _failure(exc: BaseException) -> TrainingFailed:
    if isinstance(exc, torch.OutOfMemoryError):
        return TrainingFailed("out of device memory: lower batch_size or resolution, or turn on "
                              "gradient_checkpointing or mixed_precision", kind="oom")
    text = str(exc).strip().splitlines()
    return TrainingFailed(f"{type(exc).__name__}: {text[0] if text else ''}"[:500])


class Trainer:
    """One run of one spec in one work dir."""

    def __init__(self, spec: TrainingSpec, work: WorkDir, reporter: Reporter, *,
                 stop: Callable[[], bool] | None, device: str | None) -> None:
        self.spec, self.work, self.reporter, self.stop_check = spec, work, reporter, stop
        self.step, self.total, self.losses = 0, 1, []
        self.digest = run_digest(spec)
        self.accelerator = _accelerator(spec, device)
        self.device = self.accelerator.device
        self.weight_dtype = _WEIGHT_DTYPES[spec.mixed_precision or "no"]
        self.stopping = False
        self.method = None

        self._data()  # before the base loads: a bad dataset fails in a moment
        set_seed(spec.seed or 0)
        self.base: Base = open_base(spec.model)
        self.method = METHODS[spec.method](spec, self.base, rates(spec))
        self.method.prepare(self.device, self.weight_dtype)
        if spec.gradient_checkpointing:
            self.base.unet.enable_gradient_checkpointing()
        if self.device.type == "cuda":
            self.base.unet.to(memory_format=torch.channels_last)  # convolutions run faster in NHWC on tensor cores
            # Every step has the same shapes, so timing the convolution algorithms once pays. (CUDA kernels are not
            # bit-deterministic anyway; a resumed run there matches an uninterrupted one closely, not exactly.)
            torch.backends.cudnn.benchmark = True

        self.total = self._total_steps()
        self._optimizer()
        self._latent_cache: dict[tuple[int, int, bool], tuple[torch.Tensor, ...]] = {}
        self._text_cache: dict[str, tuple[torch.Tensor, torch.Tensor | None]] = {}
        self._pending: list[tuple[int, torch.Tensor, float, int]] = []
        self._sampler = None

    # --- setup ---------------------------------------------------------------------------------------------

    def _data(self) -> None:
        spec, ds = self.spec, self.spec.dataset
        dreambooth = spec.dreambooth if spec.method in DREAMBOOTH_METHODS else None
        default = ds.default_caption or (dreambooth.instance_prompt if dreambooth is not None else "")
        items = scan(Path(ds.path), caption_extension=ds.caption_extension or ".txt", default_caption=default,
                     field="dataset.path")
        name = spec.textual_inversion.token if spec.textual_inversion is not None else ""
        seed = spec.seed or 0
        self.orders = [Order(items, seed=seed, repeats=ds.repeats or 1, flip=bool(ds.flip),
                             templates=templates(spec), name=name)]
        if dreambooth is not None and dreambooth.class_data_path:
            found = scan(Path(dreambooth.class_data_path), caption_extension=".txt", default_caption="",
                         field="dreambooth.class_data_path")
            classes = [Item(item.path, dreambooth.class_prompt) for item in found]  # one prompt for every class image
            self.orders.append(Order(classes, seed=seed, repeats=1, flip=bool(ds.flip), templates=["[filewords]"],
                                     name=name, stream=1))
        self.prior_weight = float(dreambooth.prior_loss_weight) if len(self.orders) > 1 else 0.0
        self.batch = spec.batch_size or 1
        self.accum = spec.gradient_accumulation_steps or 1
        self.images_per_step = self.batch * self.accum * len(self.orders)

    def _total_steps(self) -> int:
        if self.spec.max_steps:
            return self.spec.max_steps
        per_epoch = self.orders[0].per_epoch
        return max(1, math.ceil(self.spec.epochs * per_epoch / (self.batch * self.accum)))

    def _optimizer(self) -> None:
        groups = self.method.param_groups()
        self.trainables = self.method.trainables()
        self.params = [p for g in groups for p in g["params"]]
        if not self.params:
            raise TrainingFailed(f"method {self.spec.method} has nothing to train")
        fused = self.device.type == "cuda"  # one kernel for the whole update; CPU keeps the foreach path
        optimizer = torch.optim.AdamW([{"params": g["params"], "lr": g["lr"]} for g in groups],
                                      weight_decay=weight_decay(self.spec), fused=fused)
        scheduler = get_scheduler(self.spec.lr_scheduler or "constant", optimizer,
                                  num_warmup_steps=self.spec.lr_warmup_steps or 0, num_training_steps=self.total)
        # Only the optimizer and schedule go through prepare(): the trained modules are driven by hooks and
        # wrappers as much as by their own forward, so mixed precision comes from accelerator.autocast() around
        # the whole loss instead of prepare()'s per-model wrapping.
        self.optimizer, self.scheduler = self.accelerator.prepare(optimizer, scheduler)

    # --- the run -------------------------------------------------------------------------------------------

    def run(self) -> TrainingEvent:
        start = self._resume()
        self.work.write_spec(self.spec)
        self.meter = Meter(start, self.total, self.images_per_step)
        self._last_flush = time.perf_counter()
        classes = len(self.orders[1].items) if len(self.orders) > 1 else None
        if classes:
            log.info("prior preservation: %d class images (%s), weight %s", classes,
                     self.spec.dreambooth.class_prompt, self.prior_weight)
        self._emit(TrainingEvent(type="started", at=now(), step=start, total_steps=self.total,
                                 method=self.spec.method, resumed_from=start or None, class_images=classes))
        try:
            self.method.train(True)
            for step in range(start + 1, self.total + 1):
                if self.stop_check is not None and self.stop_check():
                    raise StopTraining("stop requested")
                self._train_step(step)
                self._after_step(step)
            self._flush()
            if self.spec.samples.prompts and not self._sample_due(self.total):
                self._samples(self.total)
            return self._finish()
        except StopTraining as request:
            return self._interrupted(request)

    def _resume(self) -> int:
        folder = checkpoints.latest(self.work.checkpoints)
        if folder is None:
            return 0
        saved = checkpoints.restore(folder, trainables=self.trainables, optimizer=self.optimizer,
                                    scheduler=self.scheduler, scaler=self.accelerator.scaler, digest=self.digest,
                                    method=self.spec.method)
        if saved.step > self.total:
            raise InvalidInput("max_steps", f"the work dir's checkpoint is at step {saved.step}, past {self.total}")
        self.step, self.losses = saved.step, saved.losses[: saved.step]
        log.info("resumed from %s", folder)
        return saved.step

    def _train_step(self, step: int) -> None:
        micro_losses = []
        lr = float(self.scheduler.get_last_lr()[0])
        for micro in range(self.accum):
            m = (step - 1) * self.accum + micro
            with self.accelerator.autocast():
                loss = self._loss(m)
            self.accelerator.backward(loss / self.accum)
            micro_losses.append(loss.detach())
        if self.spec.max_grad_norm:
            self.accelerator.clip_grad_norm_(self.params, self.spec.max_grad_norm)
        self.optimizer.step()
        self.scheduler.step()
        self.optimizer.zero_grad(set_to_none=True)
        self.step = step
        epoch = self.orders[0].epoch_of((step - 1) * self.accum, self.batch)
        self._pending.append((step, torch.stack(micro_losses).mean(), lr, epoch))

    def _after_step(self, step: int) -> None:
        every = self.spec.checkpoint_every or 0
        checkpoint = bool(every) and step % every == 0 and step < self.total
        sample = self._sample_due(step)
        if checkpoint or sample or time.perf_counter() - self._last_flush >= FLUSH_S:
            self._flush()
        if checkpoint:
            self._checkpoint(step)
        if sample:
            self._samples(step)

    def _sample_due(self, step: int) -> bool:
        every = self.spec.samples.every or 0
        return bool(self.spec.samples.prompts) and ((bool(every) and step % every == 0) or step == self.total)

    def _flush(self) -> None:
        """Turn the pending steps' losses into numbers (one device sync) and report them."""
        self._last_flush = time.perf_counter()
        if not self._pending:
            return
        pending, self._pending = self._pending, []
        values = torch.stack([loss for _, loss, _, _ in pending]).float().cpu().tolist()
        self.losses.extend(values)  # before reporting: a reporter may stop the run, the history must be whole
        for (step, *_), value in zip(pending, values, strict=True):
            if not math.isfinite(value):
                raise TrainingFailed(f"the loss became {value} at step {step}: lower the learning rate", step=step)
        for (step, _, lr, epoch), value in zip(pending, values, strict=True):
            elapsed, rate, eta = self.meter.figures(step)
            self._emit(TrainingEvent(
                type="progress", at=now(), step=step, total_steps=self.total,
                progress=TrainingProgress(step=step, total_steps=self.total, epoch=epoch, loss=value, lr=lr,
                                          samples_per_s=rate, elapsed_s=elapsed, eta_s=eta)))

    def _checkpoint(self, step: int) -> Path:
        folder = checkpoints.save(self.work.checkpoints, step=step, losses=self.losses, trainables=self.trainables,
                                  optimizer=self.optimizer, scheduler=self.scheduler,
                                  scaler=self.accelerator.scaler, digest=self.digest, method=self.spec.method,
                                  keep=self.spec.keep_checkpoints or 2)
        self._emit(TrainingEvent(type="checkpoint", at=now(), step=step, total_steps=self.total,
                                 checkpoint=self.work.relative(folder), artefact=self._intermediate(step)))
        return folder

    def _intermediate(self, step: int) -> TrainingArtefact | None:
        """The model as it is at `step`, exported as the result would be, kept so its owner may register it later.
        A full DreamBooth keeps none: each would be a whole pipeline (gigabytes at every save)."""
        if self.spec.method == "dreambooth":
            return None
        folder = self.work.intermediate / checkpoints.folder_name(step)
        if folder.exists():  # the same step again (stopped right after a periodic checkpoint)
            shutil.rmtree(folder)
        self.method.train(False)
        try:
            return self._artefact(self.method.export(folder, self._metadata(step)), step)
        finally:
            self.method.train(True)

    def _metadata(self, step: int) -> dict[str, str]:
        return {"name": self.spec.name or "model", "step": str(step), "easel_method": self.spec.method,
                "sd_checkpoint": (self.spec.model.sha256 or "")[:10],
                "sd_checkpoint_name": self.spec.model.name or "", "easel_base": self.spec.model.base}

    def _artefact(self, exported: Exported, step: int) -> TrainingArtefact:
        sha256, size = artefact_digest(exported.path)
        return TrainingArtefact(kind=exported.kind, base=self.spec.model.base, format=exported.format,
                                path=self.work.relative(exported.path), sha256=sha256, size=size,
                                name=exported.name, metadata={**exported.metadata, "spec_digest": self.digest,
                                                              "steps": step})

    def _interrupted(self, request: StopTraining) -> TrainingEvent:
        self.stopping = True  # from here a reporter's StopTraining is moot
        self._flush()
        folder = None
        if request.checkpoint and self.step > 0:
            latest = checkpoints.latest(self.work.checkpoints)
            if latest is not None and latest.name == checkpoints.folder_name(self.step):
                folder = latest
            else:
                folder = self._checkpoint(self.step)
        event = TrainingEvent(type="interrupted", at=now(), step=self.step, total_steps=self.total,
                              checkpoint=self.work.relative(folder) if folder else None,
                              checkpointed=folder is not None)
        self._emit(event)
        return event

    def _finish(self) -> TrainingEvent:
        self.method.train(False)
        artefact = self._artefact(self.method.export(self.work.artefact, self._metadata(self.step)), self.step)
        event = TrainingEvent(type="succeeded", at=now(), step=self.step, total_steps=self.total,
                              method=self.spec.method, artefact=artefact, loss_history=self.losses)
        write_atomic(self.work.result, event.model_dump_json(indent=2, exclude_none=True))
        self._emit(event)
        return event

    def _emit(self, event: TrainingEvent) -> None:
        try:
            self.reporter.report(event)
        except StopTraining:
            if not self.stopping:
                raise

    # --- one micro-step's loss -----------------------------------------------------------------------------

    def _loss(self, micro_step: int) -> torch.Tensor:
        device = self.device
        g = step_generator(self.spec.seed or 0, micro_step, device)
        samples = [order.batch(micro_step, self.batch) for order in self.orders]
        stats = [self._latent_stats(stream, batch) for stream, batch in enumerate(samples)]
        mean = torch.cat([s[0] for s in stats])
        std = torch.cat([s[1] for s in stats])
        vae = self.base.vae.config
        eps = torch.randn(mean.shape, generator=g, device=device)
        latents = (mean + std * eps - (getattr(vae, "shift_factor", None) or 0.0)) * vae.scaling_factor
        noise = torch.randn(latents.shape, generator=g, device=device)
        if self.spec.noise_offset:
            noise += self.spec.noise_offset * torch.randn((*latents.shape[:2], 1, 1), generator=g, device=device)
        scheduler = self.base.noise_scheduler
        timesteps = torch.randint(0, scheduler.config.num_train_timesteps, (len(latents),), generator=g,
                                  device=device)
        noisy = scheduler.add_noise(latents, noise, timesteps)
        target = noise if self.base.prediction_type == "epsilon" else scheduler.get_velocity(latents, noise,
                                                                                             timesteps)
        prompts = [self.method.expand(s.prompt) for batch in samples for s in batch]
        cond = self._conditioning(prompts)
        ids = torch.cat([s[2] for s in stats]).to(self.device) if self.base.xl else None
        unet_dtype = self.base.unet.dtype
        cond = Conditioning(cond.states.to(unet_dtype), cond.pooled.to(unet_dtype) if cond.pooled is not None
                            else None)
        pred = self.base.predict(noisy.to(unet_dtype), timesteps, cond, ids)
        per_sample = F.mse_loss(pred.float(), target.float(), reduction="none").mean(dim=(1, 2, 3))
        if self.spec.snr_gamma:
            snr = compute_snr(scheduler, timesteps)
            clipped = torch.clamp(snr, max=self.spec.snr_gamma)
            per_sample = per_sample * (clipped / (snr + 1 if self.base.prediction_type == "v_prediction" else snr))
        if self.prior_weight:
            instance, prior = per_sample.split(self.batch)
            return instance.mean() + self.prior_weight * prior.mean()
        return per_sample.mean()

    def _latent_stats(self, stream: int, batch: Sequence[Any]) -> tuple[torch.Tensor, ...]:
        """(mean, std, SDXL time ids) of the batch's images, encoding only those never seen before."""
        order = self.orders[stream]
        missing = [s for s in batch if (stream, s.item, s.flip) not in self._latent_cache]
        if missing:
            field = "dataset.path" if stream == 0 else "dreambooth.class_data_path"
            for s in {(s.item, s.flip): s for s in missing}.values():
                pixels, original, crop = load_image(order.items[s.item], self.spec.resolution or 512, field)
                # One image at a time: a convolution's last bits depend on the batch it runs in, and a resumed run
                # meets its images in other batches than the first attempt did.
                mean, std = latent_stats(self.base.vae, (pixels.flip(-1) if s.flip else pixels)[None])
                ids = time_ids([original], [crop], self.spec.resolution or 512)
                self._latent_cache[(stream, s.item, s.flip)] = (mean[0], std[0], ids[0])
        rows = [self._latent_cache[(stream, s.item, s.flip)] for s in batch]
        return tuple(torch.stack(parts) for parts in zip(*rows, strict=True))

    def _conditioning(self, prompts: list[str]) -> Conditioning:
        if self.method.text_trains:
            return self.base.encode(self.base.tokenize(prompts))
        missing = [p for p in dict.fromkeys(prompts) if p not in self._text_cache]
        if missing:
            with torch.no_grad():
                cond = self.base.encode(self.base.tokenize(missing))
            for i, prompt in enumerate(missing):
                self._text_cache[prompt] = (cond.states[i], cond.pooled[i] if cond.pooled is not None else None)
        rows = [self._text_cache[p] for p in prompts]
        pooled = torch.stack([r[1] for r in rows]) if rows[0][1] is not None else None
        return Conditioning(torch.stack([r[0] for r in rows]), pooled)

    # --- samples -------------------------------------------------------------------------------------------

    def _samples(self, step: int) -> None:
        s = self.spec.samples
        self.method.train(False)
        if self._sampler is None:
            self._sampler = self.base.sampler(name=s.sampler or "DPM++ 2M")
        written = []
        try:
            with torch.no_grad(), self.accelerator.autocast():
                for i, prompt in enumerate(s.prompts):
                    generator = torch.Generator().manual_seed((s.seed or 0) + i)
                    image = self._sampler(prompt=self.method.expand(prompt),
                                          negative_prompt=self.method.expand(s.negative_prompt or ""),
                                          num_inference_steps=s.steps or 20, guidance_scale=s.cfg_scale,
                                          width=self.spec.resolution, height=self.spec.resolution,
                                          generator=generator).images[0]
                    path = self.work.samples / f"step-{step:08d}-{i}.png"
                    path.parent.mkdir(parents=True, exist_ok=True)
                    tmp = path.with_name(f".{path.name}.tmp")
                    image.save(tmp, format="PNG")
                    tmp.replace(path)
                    written.append(self.work.relative(path))
        finally:
            self.method.train(True)
        self._emit(TrainingEvent(type="sample", at=now(), step=step, total_steps=self.total, samples=written))

    def close(self) -> None:
        if self.method is not None:
            self.method.close()


def _accelerator(spec: TrainingSpec, device: str | None) -> Accelerator:
    precision = spec.mixed_precision or "no"
    cpu = device == "cpu" or (device is None and not torch.cuda.is_available())
    if precision == "fp16" and cpu:
        raise InvalidInput("mixed_precision", "fp16 needs a CUDA device; use bf16 or no on a CPU")
    # accelerate keeps process-wide state that refuses a second precision; one process may run several trainings
    # in a row (tests, benchmarks), each with its own.
    AcceleratorState._reset_state(reset_partial_state=True)
    return Accelerator(mixed_precision=precision, cpu=cpu)
