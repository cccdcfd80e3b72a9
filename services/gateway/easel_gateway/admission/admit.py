"""The one entry of request admission: a request and its caller in, the pool and GenerationSpec a worker runs out.

The order is the point. What the request alone can be checked for (limits, styles and prompt lengths, tags,
ControlNet units, every image's size from its header) comes first; then the checkpoint, and the sizes that depend
on it; then every other model the job names, looked up together; only then are the images decoded, and stored
once the whole request has passed. A refusal at any step leaves nothing behind.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import inspect
import json
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any

from easel_common.egress import check_public_url
from easel_common.storage import ObjectStore
from easel_gateway.admission import controlnet, faces, hires, limits, prompts, sd_upscale, sdxl, upscalers
from easel_gateway.admission.inputs import Inputs, Known, Limits
from easel_gateway.admission.limits import SEED_SPACE, first
from easel_gateway.admission.registry import Registry
from easel_gateway.admission.vae import vae, wants_vae
from easel_gateway.pools import PoolView
from easel_gateway.settings import GatewaySettings
from easel_proto.v1 import jobs
from easel_proto.v1.auth import UserSettings
from easel_proto.v1.common import Principal, Quotas
from easel_proto.webui import noise_params


def slot(state: Any, patient: bool = False) -> contextlib.AbstractAsyncContextManager[None]:
    """Hold one of the gateway's submission places (gate.py); refused with 503 and Retry-After when none frees up
    within a short wait (`patient`: a longer one, for the later jobs of a call already let in)."""
    return state.submit_gate.enter(patient)


def request_hash(body: jobs.JobRequest) -> str:
    """The digest that tells a retry (same Idempotency-Key, same body) from another request."""
    canonical = json.dumps(body.model_dump(mode="json", exclude_none=True), sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass
class Admitted:
    """A job checked and resolved, its inputs stored: ready to queue."""

    pool: str
    spec: jobs.GenerationSpec
    request_hash: str | None
    callback_url: str | None = None

    def create_request(self, caller: Principal, idempotency_key: str | None, quotas: Quotas | None,
                       window_s: float | None = None) -> jobs.CreateJobRequest:
        """The jobs service's request; `window_s`: the key names an earlier job only this long (a derived key)."""
        return jobs.CreateJobRequest(principal=caller, pool=self.pool, spec=self.spec,
                                     idempotency_key=idempotency_key, request_hash=self.request_hash, quotas=quotas,
                                     idempotency_window_s=window_s if idempotency_key else None,
                                     callback_url=self.callback_url)


async def _in_order(*steps: Awaitable[Any] | Any) -> list[Any]:
    """Run independent lookups at once (one round trip's wait, not one each); the first failure in the order
    given is raised, as if they had run one after another. A step that is no awaitable is a lookup with nothing
    to look up, and its own result: a job names few of the models it could, and a Task for each of the rest cost
    more CPU than the lookups left (a lone lookup is awaited as it is, no Task either)."""
    waits = [i for i, step in enumerate(steps) if inspect.isawaitable(step)]
    results = list(steps)
    if len(waits) == 1:
        results[waits[0]] = await steps[waits[0]]
    elif waits:
        for i, result in zip(waits, await asyncio.gather(*(steps[i] for i in waits), return_exceptions=True),
                             strict=True):
            results[i] = result
        for result in results:
            if isinstance(result, BaseException):
                raise result
    return results


class Admission:
    """Turns requests into jobs for this gateway: its limits, the registry as each caller sees it, the store."""

    def __init__(self, settings: GatewaySettings, registry: Registry, store: ObjectStore,
                 pools: PoolView | None = None) -> None:
        self.settings, self.registry, self.store = settings, registry, store
        self.pools = pools or PoolView(settings.pools)  # the live list in the app; EASEL_POOLS alone without

    async def admit(self, body: jobs.JobRequest, caller: Principal, mine: UserSettings,
                    known: Known | None = None) -> Admitted:
        """The pool and spec of a job: the request, else the caller's own settings, else the server's.

        `known`: input images an earlier job of the same call stored. Raises InvalidInput naming the first bad
        field, Forbidden for a pool the caller may not use.
        """
        settings, registry = self.settings, self.registry
        plan = limits.plan(body, caller, mine, settings, self.pools)
        sd_upscale.check(body)
        text = prompts.parse(body, mine)
        units = body.controlnets or []
        pres = controlnet.check(units, plan.task)
        inputs = Inputs(caller, Limits.of(settings), known)
        sizes = [await inputs.measure(data, f"init_images.{i}") for i, data in enumerate(body.init_images or [])]
        if body.mask:
            await inputs.measure(body.mask, "mask", mode="L")
        await controlnet.measure(units, inputs)

        model = await registry.model(first(body.model, mine.model, settings.default_model), caller, "checkpoint",
                                     "model")
        # SD upscale: width x height is the tile (as asked, else the defaults), not the init image's size
        init = sizes[0] if plan.task == "img2img" and body.sd_upscale is None else None
        width, height = limits.size(body, mine, model, settings, init)
        extras = hires_spec = None
        tiles = (sd_upscale.plan(body.sd_upscale, sizes[0], width, height, plan.count, settings)
                 if body.sd_upscale is not None else None)
        if plan.task == "extras":
            extras, width, height = upscalers.plan(body.extras, sizes, settings)
        else:
            sdxl.check(body, model)
        if body.hires is not None:
            hires_spec = hires.plan(body.hires, width, height, plan.steps, text.hires, (text.prompt, text.negative),
                                    settings)
            hires_spec.token_merging_ratio = first(body.hires.token_merging_ratio, body.token_merging_ratio or 0.0)
        if not extras:
            await prompts.check_schedules(text, plan.steps, hires_spec, first(body.sampler, mine.sampler,
                                                                              settings.default_sampler))

        # for extras, prompts name no embeddings (a web UI extras call sends none)
        texts = [] if extras else [text.prompt, text.negative, *(
            [hires_spec.prompt, hires_spec.negative_prompt] if hires_spec else [])]
        # each lookup only where the job names something to look up (else its result for nothing, as it would give)
        vae_name = first(body.vae, mine.vae)
        loras, hypernetworks, vae_model, found, refiner, embeddings, *_ = await _in_order(
            prompts.loras(text.loras, model, caller, registry) if text.loras else [],
            prompts.hypernetworks(text.hypernetworks, model, caller, registry) if text.hypernetworks else [],
            vae(vae_name, model, caller, registry) if wants_vae(vae_name) else None,
            controlnet.models(units, pres, model, caller, registry) if units else [],
            sdxl.refiner(body, model, caller, registry) if sdxl.wants_refiner(body) else None,
            prompts.embeddings(texts, model, caller, registry),
            hires.upscaler(hires_spec, body.hires, caller, registry) if hires_spec is not None else None,
            upscalers.resolve(extras, body.extras, caller, registry) if extras is not None else None,
            sd_upscale.resolve(tiles, body.sd_upscale, caller, registry) if tiles is not None else None,
        )
        face_restore = await faces.resolve(body.face_restore, caller, registry)
        callback = (await check_public_url(body.callback_url, settings.webhook_allow_hosts, field="callback_url")
                    if body.callback_url else None)

        init_images = [await inputs.add(data, f"init_images.{i}") for i, data in enumerate(body.init_images or [])]
        mask = await inputs.add(body.mask, "mask", mode="L") if body.mask else None
        controlnets = await controlnet.specs(units, pres, found, inputs)
        seed, subseed = limits.seed(body.seed), limits.seed(body.subseed)
        spec = jobs.GenerationSpec(
            task=plan.task, prompt=text.prompt, negative_prompt=text.negative, model=model, loras=loras,
            hypernetworks=hypernetworks or None,
            sampler=first(body.sampler, mine.sampler, settings.default_sampler), steps=plan.steps,
            cfg_scale=first(body.cfg_scale, mine.cfg_scale, settings.default_cfg_scale), width=width, height=height,
            seeds=[(seed + i) % SEED_SPACE for i in range(plan.count)], vae=vae_model,
            batch_size=None if extras else plan.batch, scheduler=first(body.scheduler, mine.scheduler, "automatic"),
            subseeds=[(subseed + i) % SEED_SPACE for i in range(plan.count)],
            subseed_strength=body.subseed_strength or 0.0, seed_resize_from_w=plan.seed_resize[0],
            seed_resize_from_h=plan.seed_resize[1], clip_skip=first(body.clip_skip, mine.clip_skip, 1), eta=body.eta,
            s_churn=body.s_churn, s_tmin=body.s_tmin, s_tmax=body.s_tmax, s_noise=body.s_noise,
            tiling=bool(body.tiling), token_merging_ratio=body.token_merging_ratio or 0.0, init_images=init_images,
            mask=mask,
            denoising_strength=first(body.denoising_strength, 0.75), resize_mode=body.resize_mode or "just_resize",
            mask_blur=first(body.mask_blur, 4), inpainting_fill=body.inpainting_fill or "original",
            inpaint_full_res=bool(body.inpaint_full_res),
            inpaint_full_res_padding=first(body.inpaint_full_res_padding, 32),
            inpainting_mask_invert=bool(body.inpainting_mask_invert), outpaint=body.outpaint,
            controlnets=controlnets, hires=hires_spec, refiner=refiner, sdxl=None if extras else body.sdxl,
            extras=extras, embeddings=embeddings, sd_upscale=tiles, face_restore=face_restore,
        )
        noise_params(spec.sampler, spec.s_churn, spec.s_tmin, spec.s_tmax, spec.s_noise)  # refused before queueing
        await inputs.save(self.store)
        # the canonical JSON of a request with images may carry megabytes of base64: hashed off the event loop (a
        # request without is hashed here, as a thread's hop costs more than its hash)
        images = body.init_images or body.mask or any(unit.image or unit.mask for unit in units)
        return Admitted(plan.pool, spec, await asyncio.to_thread(request_hash, body) if images else request_hash(body),
                        callback)

    async def detect(self, caller: Principal, mine: UserSettings, images: list[tuple[str, str]],
                     masks: list[str | None], module: str, processor_res: int | None,
                     thresholds: tuple[float | None, float | None]) -> Admitted:
        """A detect job: each (image, field it came in) through the preprocessor `module`, on the caller's
        default checkpoint and pool."""
        pool = mine.pool or self.settings.default_pool
        self.pools.check(pool, caller)
        pre = controlnet.preprocessor(module, "controlnet_module")
        inputs = Inputs(caller, Limits.of(self.settings))
        await controlnet.measure_detect(images, masks, inputs)
        annotator = (await self.registry.model(pre.annotator, caller, "annotator", "controlnet_module")
                     if pre.annotator else None)
        checkpoint = await self.registry.model(mine.model or self.settings.default_model, caller, "checkpoint",
                                               "model")
        units = await controlnet.detect_specs(images, masks, pre, processor_res, thresholds, checkpoint, annotator,
                                              inputs)
        spec = jobs.GenerationSpec(task="detect", prompt="", model=checkpoint, sampler="Euler", steps=1,
                                   cfg_scale=1.0, width=units[0].image.width, height=units[0].image.height,
                                   seeds=[0] * len(units), controlnets=units)
        await inputs.save(self.store)
        return Admitted(pool, spec, None)
