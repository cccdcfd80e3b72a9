// Other pages open Generate filled in, through the hash's query as History does (#/generate?tab=…&job=ID):
// - `from=params` with form fields (prompt, negative_prompt, model, sampler, scheduler, steps, cfg_scale, width,
//   height, seed, denoising_strength): PNG info's "send to txt2img / img2img";
// - `insert=<token>` adds a token to the prompt (Trainings' "use in Generate": `<lora:name:1>`, an embedding's word)
//   and `model=` picks a checkpoint;
// - an image to start from (img2img's init image, or Extras' input) is too big for a URL: `keepImage` holds it in
//   memory and the URL says `image=handed`; a reload forgets it.
import { navigate } from './router.js';

const TEXT = ['prompt', 'negative_prompt', 'model', 'sampler', 'scheduler'];
const NUMBERS = ['steps', 'cfg_scale', 'width', 'height', 'seed', 'denoising_strength'];
let handed = null;

/** Open `page` with `params`, holding `image` (a data: URL) for it to take. */
export function handOver(page, params, image = null) {
  handed = image;
  navigate(page, image ? { ...params, image: 'handed' } : params);
}

/** The image handed over with the URL's `image=handed` (once), else null. */
export function takeImage(params) {
  if (params.get('image') !== 'handed') return null;
  const image = handed;
  handed = null;
  return image;
}

/** The generate-form fields a URL hands over (null when it hands none): `form` is the form to change. */
export function handedFields(params, form) {
  const insert = params.get('insert');
  if (params.get('from') !== 'params' && insert == null && params.get('model') == null) return null;
  const out = { ...form };
  for (const k of TEXT) if (params.get(k) != null) out[k] = params.get(k);
  for (const k of NUMBERS) {
    const v = params.get(k);
    if (v != null && v !== '' && Number.isFinite(Number(v))) out[k] = Number(v);
  }
  if (insert) out.prompt = out.prompt ? `${out.prompt.replace(/\s+$/, '')} ${insert}` : insert;
  return out;
}
