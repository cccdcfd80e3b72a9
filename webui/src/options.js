// Choices the API takes (proto/schemas/v1/jobs.json: Sampler, Scheduler); the server refuses anything else.
export const SAMPLERS = ['Euler a', 'Euler', 'LMS', 'LMS Karras', 'Heun', 'DPM2', 'DPM2 a', 'DPM2 Karras',
  'DPM2 a Karras', 'DPM++ 2M', 'DPM++ 2M Karras', 'DPM++ SDE', 'DPM++ SDE Karras', 'DPM++ 2M SDE',
  'DPM++ 2M SDE Karras', 'DPM++ 2M SDE Exponential', 'DPM++ 2M SDE Heun', 'DPM++ 3M SDE', 'DPM++ 2S a',
  'DPM++ 2S a Karras', 'DDIM', 'PLMS', 'UniPC', 'LCM'];
export const SCHEDULERS = ['automatic', 'uniform', 'karras', 'exponential', 'polyexponential', 'sgm_uniform',
  'kl_optimal', 'align_your_steps', 'simple', 'normal', 'ddim', 'beta'];
export const HIRES_UPSCALERS = ['Latent', 'Lanczos', 'Nearest'];
export const TERMINAL = ['succeeded', 'failed', 'canceled'];

/** The web UI's infotext for one image of a job (what it writes into its PNGs), from the job's spec. */
export function infotext(job, image) {
  const s = job.spec;
  const lines = [s.prompt || ''];
  if (s.negative_prompt) lines.push(`Negative prompt: ${s.negative_prompt}`);
  const parts = [`Steps: ${s.steps}`, `Sampler: ${s.sampler}`];
  if (s.scheduler && s.scheduler !== 'automatic') parts.push(`Schedule type: ${s.scheduler}`);
  parts.push(`CFG scale: ${s.cfg_scale}`, `Seed: ${image ? image.seed : s.seeds[0]}`, `Size: ${s.width}x${s.height}`,
    `Model: ${s.model.title || s.model.name}`);
  if (s.init_images && s.init_images.length) parts.push(`Denoising strength: ${s.denoising_strength}`);
  if (s.hires) parts.push(`Hires upscale: ${s.hires.width}x${s.hires.height}`, `Hires upscaler: ${s.hires.upscaler}`);
  lines.push(parts.join(', '));
  return lines.join('\n');
}
