// Generate: txt2img and img2img tabs over POST /v1/jobs, each job followed live below the form.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, dataUrlOf } from '../api.js';
import { Checkbox, Field, FormError, Select, TextArea } from '../components/form.jsx';
import { JobCard } from '../components/jobcard.jsx';
import { ImagePick } from '../components/image-pick.jsx';
import { ImageTools, TOOL_FIELDS, inpaintOf } from '../components/canvas/tools.jsx';
import { NetworkPicker, insertAt } from '../components/networks.jsx';
import { EXTRA_FIELDS, GenerationExtras } from '../components/extras.jsx';
import { userSettings, withSavedDefaults } from '../settings-cache.js';
import { controlnetsOf, extrasOf, formOf } from '../restore.js';
import { handedFields, takeImage } from '../handoff.js';
import { HIRES_UPSCALERS, SAMPLERS, SCHEDULERS, TERMINAL } from '../options.js';

const DEFAULTS = {
  prompt: '', negative_prompt: '', model: '', sampler: 'Euler a', scheduler: 'automatic', steps: 20, cfg_scale: 7,
  width: 512, height: 512, seed: -1, n_iter: 1, batch_size: 1, denoising_strength: 0.75,
  hires: false, hires_scale: 2, hires_upscaler: 'Latent', hires_denoise: 0.7, hires_steps: 0,
};
const FIELDS = ['prompt', 'negative_prompt', 'model', 'sampler', 'scheduler', 'steps', 'cfg_scale', 'width', 'height',
  'seed', 'n_iter', 'batch_size', 'denoising_strength', 'hires', 'init_images', ...TOOL_FIELDS, ...EXTRA_FIELDS, 'styles'];

/** The job request for the form: only what the user set, so the API fills in their defaults for the rest. */
export function requestOf(form, tab, initImage) {
  const body = {
    prompt: form.prompt, negative_prompt: form.negative_prompt || null, sampler: form.sampler,
    scheduler: form.scheduler, steps: form.steps, cfg_scale: form.cfg_scale, width: form.width,
    height: form.height, seed: form.seed === '' ? -1 : form.seed, n_iter: form.n_iter, batch_size: form.batch_size,
  };
  if (form.model) body.model = form.model;
  if (tab === 'img2img') {
    body.init_images = initImage ? [initImage] : [];
    body.denoising_strength = form.denoising_strength;
  } else if (form.hires) {
    body.hires = { scale: form.hires_scale, upscaler: form.hires_upscaler, denoising_strength: form.hires_denoise,
      steps: form.hires_steps || 0 };
  }
  return body;
}

async function imageAsDataUrl(url) {
  const response = await api(url, { raw: true });
  return dataUrlOf(await response.blob());
}

export function GeneratePage({ params }) {
  const [tab, setTab] = useState(params.get('tab') === 'img2img' ? 'img2img' : 'txt2img');
  const [form, setForm] = useState(DEFAULTS);
  const [models, setModels] = useState([]);
  const [initImage, setInitImage] = useState(null);
  const [toolFields, setToolFields] = useState({}); // inpaint, sketch, outpaint, ControlNet (canvas/tools.jsx)
  const [extraFields, setExtraFields] = useState({}); // variation seed, tiling, refiner (components/extras.jsx)
  const [styles, setStyles] = useState([]); // saved styles chosen (components/networks.jsx)
  // a job's, sent back from History
  const [restored, setRestored] = useState({ extras: null, inpaint: null, controlnets: null });
  const caret = useRef(null); // the prompt's cursor when it lost focus: the pickers insert there
  const [jobs, setJobs] = useState([]);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const set = (name) => (value) => setForm((f) => ({ ...f, [name]: value }));

  useEffect(() => {
    api('/v1/models?kind=checkpoint').then((list) => setModels(list.items), setError);
    // the user's saved defaults (settings page) fill the form, unless it comes filled from a job
    if (!params.get('job') && params.get('from') !== 'params') {
      userSettings().then((s) => setForm((f) => withSavedDefaults(f, s, DEFAULTS)), setError);
    }
    // jobs still queued or running (from an earlier visit) show up again
    api('/v1/jobs?limit=20').then((list) => setJobs(list.items.filter((j) => !TERMINAL.includes(j.status))),
      setError);
  }, []);

  // History's "send to img2img": #/generate?tab=img2img&job=ID&image=N
  const fromJob = params.get('job');
  const fromImage = params.get('image');
  useEffect(() => {
    if (!fromJob) return;
    setTab(params.get('tab') === 'img2img' ? 'img2img' : 'txt2img');
    api(`/v1/jobs/${encodeURIComponent(fromJob)}`).then(async (job) => {
      const sent = job.images.find((i) => String(i.index) === fromImage) || null; // its seed is the form's
      const saved = await userSettings().then((s) => s.styles || [], () => []);
      const restore = formOf(job.spec, sent, saved);
      setForm({ ...DEFAULTS, ...restore.form });
      setStyles(restore.styles);
      setRestored({ extras: extrasOf(job.spec, sent), inpaint: inpaintOf(job.spec), controlnets: null });
      const image = sent || job.images[0];
      if (image && params.get('tab') === 'img2img') setInitImage(await imageAsDataUrl(image.url));
      const units = await controlnetsOf(job, params.get('tab'), imageAsDataUrl);
      if (units.length) setRestored((r) => ({ ...r, controlnets: units }));
    }).catch(setError);
  }, [fromJob, fromImage]);

  // PNG info's "send to txt2img/img2img" and Trainings' "use in Generate" (handoff.js)
  const handed = params.toString();
  useEffect(() => {
    const fields = handedFields(params, DEFAULTS);
    if (!fields) return;
    setTab(params.get('tab') === 'img2img' ? 'img2img' : 'txt2img');
    setForm((f) => handedFields(params, f));
    const image = takeImage(params);
    if (image) setInitImage(image);
  }, [handed]);

  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const json = { ...requestOf(form, tab, initImage), ...extraFields, ...toolFields };
      if (styles.length) json.styles = styles;
      const job = await api('/v1/jobs', { method: 'POST', json });
      setJobs((list) => [job, ...list]);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const queuedBefore = (job) => jobs.filter((j) => j.status === 'queued' && j.created_at < job.created_at).length;
  const tabs = [['txt2img', 'Text to image'], ['img2img', 'Image to image']];
  const chosen = models.find((m) => m.name === form.model) || null;
  const insert = (token) => setForm((f) => {
    const out = insertAt(f.prompt, caret.current, token);
    caret.current = out.caret;
    return { ...f, prompt: out.text };
  });
  const reuseLastSeed = () => api('/v1/jobs?status=succeeded&limit=1').then((list) => {
    const last = list.items[0];
    if (last) set('seed')(last.images.length ? last.images[0].seed : last.spec.seeds[0]);
  }, setError);

  return (
    <div class="generate">
      <form class="panel" onSubmit={submit} aria-label="Generation settings">
        <div role="tablist" class="tabs" aria-label="Mode">
          {tabs.map(([id, title]) => (
            <button key={id} type="button" role="tab" id={`tab-${id}`} aria-selected={tab === id}
              aria-controls="mode-fields" onClick={() => setTab(id)}>{title}</button>
          ))}
        </div>
        <div id="mode-fields" role="tabpanel" aria-labelledby={`tab-${tab}`}>
          <TextArea label="Prompt" name="prompt" value={form.prompt} onInput={set('prompt')} error={error}
            hint="(emphasis:1.2), [less], <lora:name:weight>"
            onBlur={(e) => { caret.current = e.currentTarget.selectionStart; }} />
          <TextArea label="Negative prompt" name="negative_prompt" value={form.negative_prompt}
            onInput={set('negative_prompt')} error={error} rows={2} />
          <NetworkPicker base={chosen ? chosen.base : null} onInsert={insert} styles={styles} onStyles={setStyles} />
          {tab === 'img2img' && (
            <ImagePick id="init-image" label="Init image" image={initImage} onImage={setInitImage} alt="Init image"
              testid="init-image" error={error} />
          )}
          <div class="row">
            <Select label="Model" name="model" value={form.model} onInput={set('model')} error={error}
              options={[{ value: '', label: 'Default' },
                ...models.map((m) => ({ value: m.name, label: m.title || m.name }))]} />
            <Select label="Sampler" name="sampler" value={form.sampler} onInput={set('sampler')} error={error}
              options={SAMPLERS} />
            <Select label="Scheduler" name="scheduler" value={form.scheduler} onInput={set('scheduler')}
              error={error} options={SCHEDULERS} />
          </div>
          <div class="row">
            <Field label="Steps" name="steps" type="number" min="1" value={form.steps} onInput={set('steps')}
              error={error} />
            <Field label="CFG scale" name="cfg_scale" type="number" min="0" max="30" step="0.5"
              value={form.cfg_scale} onInput={set('cfg_scale')} error={error} />
            <Field label="Width" name="width" type="number" step="8" value={form.width} onInput={set('width')}
              error={error} />
            <Field label="Height" name="height" type="number" step="8" value={form.height} onInput={set('height')}
              error={error} />
          </div>
          <div class="row">
            <Field label="Seed" name="seed" type="number" min="-1" value={form.seed} onInput={set('seed')}
              error={error} hint="-1: random" />
            <button type="button" class="ghost" onClick={() => set('seed')(-1)}>Random seed</button>
            <button type="button" class="ghost" onClick={reuseLastSeed}>Reuse last seed</button>
            <Field label="Batch count" name="n_iter" type="number" min="1" value={form.n_iter}
              onInput={set('n_iter')} error={error} />
            <Field label="Batch size" name="batch_size" type="number" min="1" value={form.batch_size}
              onInput={set('batch_size')} error={error} />
          </div>
          {tab === 'img2img' ? (
            <Field label="Denoising strength" name="denoising_strength" type="number" min="0" max="1" step="0.05"
              value={form.denoising_strength} onInput={set('denoising_strength')} error={error} />
          ) : (
            <fieldset class="hires">
              <legend>
                <Checkbox label="Hires fix" name="hires_enabled" checked={form.hires} onInput={set('hires')} />
              </legend>
              {form.hires && (
                <div class="row">
                  <Field label="Upscale by" name="hires.scale" type="number" min="1" max="8" step="0.25"
                    value={form.hires_scale} onInput={set('hires_scale')} error={error} />
                  <Select label="Upscaler" name="hires.upscaler" value={form.hires_upscaler}
                    onInput={set('hires_upscaler')} options={HIRES_UPSCALERS} error={error} />
                  <Field label="Hires steps" name="hires.steps" type="number" min="0" value={form.hires_steps}
                    onInput={set('hires_steps')} error={error} hint="0: as the first pass" />
                  <Field label="Denoising" name="hires.denoising_strength" type="number" min="0" max="1"
                    step="0.05" value={form.hires_denoise} onInput={set('hires_denoise')} error={error} />
                </div>
              )}
            </fieldset>
          )}
          <GenerationExtras model={chosen} checkpoints={models} error={error} onFields={setExtraFields}
            restore={restored.extras} />
          <ImageTools tab={tab} initImage={initImage} width={form.width} height={form.height} error={error}
            onFields={setToolFields} mode={params.get('mode')} restore={restored.inpaint}
            restoreUnits={restored.controlnets} />
          <FormError error={error} claimed={FIELDS} />
          <button type="submit" class="primary" disabled={busy}>{busy ? 'Queuing…' : 'Generate'}</button>
        </div>
      </form>
      <section class="jobs" aria-label="Jobs">
        {jobs.length === 0 && <p class="empty">Your jobs appear here.</p>}
        {jobs.map((job) => (
          <JobCard key={job.id} job={job} ahead={queuedBefore(job)} onReuseSeed={set('seed')}
            onChange={(record) => setJobs((list) => list.map((j) => (j.id === record.id ? record : j)))} />
        ))}
      </section>
    </div>
  );
}
