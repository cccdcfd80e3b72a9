// Extras: upscale an image (POST /v1/jobs with `extras` and the image as `init_images`, then followed as any job),
// with face restoration when the user has a face_restorer model; the image uploaded here or sent from History
// (#/extras?job=ID&image=N). And PNG info (components/pnginfo.jsx).
import { useEffect, useState } from 'preact/hooks';
import { api, dataUrlOf } from '../api.js';
import { Field, FormError, Select } from '../components/form.jsx';
import { ImagePick } from '../components/image-pick.jsx';
import { JobCard } from '../components/jobcard.jsx';
import { PngInfo } from '../components/pnginfo.jsx';
import { takeImage } from '../handoff.js';

const BUILT_IN = ['Lanczos', 'Nearest']; // easel_proto.webui.IMAGE_UPSCALERS, less None
const START = { upscaler: 'Lanczos', scale: 2, restorer: '', visibility: 1, codeformer_weight: 0.5 };

export function ExtrasPage({ params }) {
  const [image, setImage] = useState(null);
  const [form, setForm] = useState(START);
  const [upscalers, setUpscalers] = useState([]);
  const [restorers, setRestorers] = useState([]);
  const [jobs, setJobs] = useState([]);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const set = (name) => (value) => setForm((f) => ({ ...f, [name]: value }));

  useEffect(() => {
    api('/v1/models?kind=upscaler').then((list) => setUpscalers(list.items.map((m) => m.name)), setError);
    api('/v1/models?kind=face_restorer').then((list) => setRestorers(list.items.map((m) => m.name)), setError);
  }, []);
  // History's "Send to extras": #/extras?job=ID&image=N
  const fromJob = params.get('job');
  const fromImage = params.get('image');
  useEffect(() => {
    const handed = takeImage(params);
    if (handed) setImage(handed);
    if (!fromJob) return;
    api(`/v1/jobs/${encodeURIComponent(fromJob)}`).then(async (job) => {
      const chosen = job.images.find((i) => String(i.index) === fromImage) || job.images[0];
      if (chosen) setImage(await dataUrlOf(await (await api(chosen.url, { raw: true })).blob()));
    }).catch(setError);
  }, [fromJob, fromImage]);

  const submit = async (e) => {
    e.preventDefault();
    setError(null);
    setBusy(true);
    try {
      if (!image) throw Object.assign(new Error('choose an image to upscale'), { field: 'init_images' });
      const json = { init_images: [image], extras: { upscaler: form.upscaler, scale: form.scale } };
      if (form.restorer) {
        json.face_restore = [{ restorer: form.restorer, visibility: form.visibility,
          codeformer_weight: form.codeformer_weight }];
      }
      const job = await api('/v1/jobs', { method: 'POST', json });
      setJobs((list) => [job, ...list]);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="generate extras-page">
      <div>
        <form class="panel" onSubmit={submit} aria-label="Upscale an image">
          <h2>Upscale</h2>
          <ImagePick id="extras-image" label="Image" image={image} onImage={setImage} alt="Image to upscale"
            testid="extras-input" error={error} />
          <div class="row">
            <Select label="Upscaler" name="extras.upscaler" value={form.upscaler} onInput={set('upscaler')}
              options={[...BUILT_IN, ...upscalers]} error={error} />
            <Field label="Scale" name="extras.scale" type="number" min="0.1" max="8" step="0.1" value={form.scale}
              onInput={set('scale')} error={error} />
          </div>
          {restorers.length > 0 && (
            <fieldset>
              <legend>Face restoration</legend>
              <div class="row">
                <Select label="Restorer" name="face_restore" value={form.restorer} onInput={set('restorer')}
                  options={[{ value: '', label: 'None' }, ...restorers]} error={error} />
                <Field label="Visibility" name="face_restore.0.visibility" type="number" min="0" max="1" step="0.05"
                  value={form.visibility} onInput={set('visibility')} error={error} />
                <Field label="CodeFormer weight" name="face_restore.0.codeformer_weight" type="number" min="0"
                  max="1" step="0.05" value={form.codeformer_weight} onInput={set('codeformer_weight')}
                  error={error} />
              </div>
            </fieldset>
          )}
          <FormError error={error} claimed={['init_images', 'extras', 'face_restore']} />
          <button type="submit" class="primary" disabled={busy}>{busy ? 'Queuing…' : 'Upscale'}</button>
        </form>
        <PngInfo />
      </div>
      <section class="jobs" aria-label="Jobs">
        {jobs.length === 0 && <p class="empty">Upscaled images appear here.</p>}
        {jobs.map((job) => (
          <JobCard key={job.id} job={job} ahead={0}
            onChange={(record) => setJobs((list) => list.map((j) => (j.id === record.id ? record : j)))} />
        ))}
      </section>
    </div>
  );
}
