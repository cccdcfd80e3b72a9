// A job's spec back into the generate form (History's "send to txt2img / img2img / inpaint"): every field the form
// has, from what the spec holds. Saved styles are not in the spec (the API merged them into the prompts), so they are
// found again as the web UI does: a saved style whose text wraps or ends both prompts is taken out of them and chosen.
import { batchesOf } from './components/jobcard.jsx';

/** `prompt` without `styleText` merged into it, or null when the style is not in it. */
function unmerged(styleText, prompt) {
  if (!styleText) return prompt;
  if (!styleText.includes('{prompt}')) {
    // appended: the prompt ends with ", " and the style's text (the API took extra-network tags out after)
    const tail = styleText.trim();
    if (prompt.trim() === tail) return '';
    return prompt.endsWith(`, ${tail}`) ? prompt.slice(0, prompt.length - tail.length - 2).trimEnd() : null;
  }
  const left = styleText.slice(0, styleText.indexOf('{prompt}'));
  const right = styleText.slice(styleText.lastIndexOf('{prompt}') + '{prompt}'.length);
  if (!prompt.startsWith(left) || !prompt.endsWith(right) || prompt.length < left.length + right.length) return null;
  const candidate = prompt.slice(left.length, prompt.length - right.length);
  // a style with several {prompt}s: the candidate must rebuild the whole prompt
  return styleText.split('{prompt}').join(candidate) === prompt ? candidate : null;
}

/** The saved styles (`saved`: [{name, prompt, negative_prompt}]) merged into a job's prompts, and the prompts
 * without them: {styles, prompt, negative}. */
export function extractStyles(prompt, negative, saved) {
  const found = [];
  let left = saved.filter((s) => s.prompt || s.negative_prompt);
  for (let again = true; again;) {
    again = false;
    for (const style of left) {
      const p = unmerged(style.prompt || '', prompt);
      const n = p == null ? null : unmerged(style.negative_prompt || '', negative);
      if (n == null) continue;
      [prompt, negative] = [p, n];
      found.push(style.name);
      left = left.filter((s) => s !== style);
      again = true;
      break;
    }
  }
  // taken off the outside in: the last style applied came off first
  return { styles: found.reverse(), prompt, negative };
}

/** The LoRA and hypernetwork tags for a spec's resolved networks, to put back into the prompt. */
function networkTags(spec) {
  const tags = (spec.loras || []).map((l) => `<lora:${l.model.name}:${l.weight}>`);
  return tags.concat((spec.hypernetworks || []).map((h) => `<hypernet:${h.model.name}:${h.weight}>`));
}

/** The generate form's fields from a job's spec; `image`: the image sent (its seed), `saved`: the saved styles. */
export function formOf(spec, image, saved) {
  const { styles, prompt, negative } = extractStyles(spec.prompt || '', spec.negative_prompt || '', saved || []);
  const form = {
    prompt: [prompt, ...networkTags(spec)].filter(Boolean).join(' '), negative_prompt: negative,
    model: spec.model.name, sampler: spec.sampler, scheduler: spec.scheduler || 'automatic', steps: spec.steps,
    cfg_scale: spec.cfg_scale, width: spec.width, height: spec.height, seed: image ? image.seed : spec.seeds[0],
    n_iter: batchesOf(spec), batch_size: spec.batch_size || spec.seeds.length,
    denoising_strength: spec.denoising_strength ?? 0.75, hires: !!spec.hires,
  };
  if (spec.hires) {
    Object.assign(form, { hires_scale: Math.round((spec.hires.width / spec.width) * 100) / 100,
      hires_upscaler: spec.hires.upscaler, hires_denoise: spec.hires.denoising_strength,
      hires_steps: spec.hires.steps });
  }
  return { form, styles };
}

/** GenerationExtras' values (components/extras.jsx) from a job's spec: tiling, variation seed, refiner. */
export function extrasOf(spec, image) {
  const at = image ? spec.seeds.indexOf(image.seed) : 0;
  const subseeds = spec.subseeds || [];
  const out = { tiling: !!spec.tiling, variation: subseeds.length > 0 && spec.subseed_strength > 0 };
  if (out.variation) {
    Object.assign(out, { subseed: subseeds[Math.max(0, at)] ?? subseeds[0], subseed_strength: spec.subseed_strength });
  }
  if (spec.refiner) {
    Object.assign(out, { refiner: true, refiner_model: spec.refiner.model.name, switch_at: spec.refiner.switch_at });
  }
  return out;
}

/**
 * The ControlNet units of a job (controlnet.jsx's unit fields), their control images and masks read back from the
 * job's stored inputs (`GET /v1/jobs/{id}/inputs/controlnets.N.image`); `fetchImage(path)` gives a data URL. A unit
 * that used the init image keeps doing so on img2img; on txt2img it gets the job's init image as its upload. An
 * input that can no longer be read (the tenant's retention deleted it) leaves that unit without it.
 */
export async function controlnetsOf(job, tab, fetchImage) {
  const inputs = `/v1/jobs/${encodeURIComponent(job.id)}/inputs`;
  const read = (field) => fetchImage(`${inputs}/${field}`).catch(() => null);
  return Promise.all((job.spec.controlnets || []).map(async (cn, i) => {
    const unit = {
      model: cn.model.name, module: cn.module || 'none', weight: cn.weight ?? 1,
      guidance_start: cn.guidance_start ?? 0, guidance_end: cn.guidance_end ?? 1,
      pixel_perfect: !!cn.pixel_perfect, control_mode: cn.control_mode || 'balanced',
      resize_mode: cn.resize_mode || 'crop_and_resize',
      processor_res: cn.pixel_perfect || cn.processor_res == null ? '' : cn.processor_res,
      threshold_a: cn.threshold_a ?? '', threshold_b: cn.threshold_b ?? '',
    };
    if (cn.image) {
      Object.assign(unit, { source: 'upload', image: await read(`controlnets.${i}.image`) });
    } else if (tab === 'img2img') {
      unit.source = 'init';
    } else {
      Object.assign(unit, { source: 'upload', image: await read('init_images.0') });
    }
    if (cn.mask) {
      const mask = await read(`controlnets.${i}.mask`);
      if (mask) Object.assign(unit, { maskSource: 'upload', mask });
    }
    return unit;
  }));
}
