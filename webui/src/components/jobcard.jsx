// One job, followed live over its event stream: queue place (its pool's `queue_position`, from the record and the
// stream's `queue` events; else the caller's own queued jobs before it), step, ETA, a preview (the latest image the API
// has for it, else the live preview its progress events carry), cancel, skip (the running batch, when the job has
// several: POST /v1/jobs/{id}/skip); then its images.
import { useEffect, useState } from 'preact/hooks';
import { api, eventsOf } from '../api.js';
import { TERMINAL } from '../options.js';

function eta(first, last) {
  // seconds left, from the rate of the steps seen so far
  if (!first || !last || last.step <= first.step) return null;
  const perStep = (Date.parse(last.at) - Date.parse(first.at)) / 1000 / (last.step - first.step);
  return Math.max(0, Math.round(perStep * (last.steps - last.step)));
}

/** How many batches (batch count, n_iter) a job's spec runs: its seeds in chunks of `batch_size`. */
export function batchesOf(spec) {
  return spec.batch_size ? Math.ceil(spec.seeds.length / spec.batch_size) : 1;
}

export function JobCard({ job: initial, ahead, onChange, onReuseSeed }) {
  const [job, setJob] = useState(initial);
  const [steps, setSteps] = useState({ first: null, last: null });
  const [preview, setPreview] = useState(null); // the latest live preview (a data: URI) its progress events carried
  const [error, setError] = useState(null);
  const [skipping, setSkipping] = useState(false);
  const [position, setPosition] = useState(initial.queue_position ?? null); // queued jobs of its pool before it

  useEffect(() => {
    if (TERMINAL.includes(initial.status)) return undefined;
    const stop = eventsOf(initial.id, async (type, data) => {
      if (type === 'queue') {
        if (data && data.queue_position != null) setPosition(data.queue_position);
      } else if (type === 'progress' && data) {
        setSteps((s) => ({ first: s.first || data, last: data }));
        if (data.preview) setPreview(data.preview);
        setJob((j) => ({ ...j, status: 'processing' }));
      } else if (TERMINAL.includes(type) || type === 'error') {
        try {
          const record = await api(`/v1/jobs/${initial.id}`);
          setJob(record);
          onChange && onChange(record);
        } catch (err) {
          setError(err);
        }
      } else if (type !== 'error') {
        setJob((j) => ({ ...j, status: type }));
      }
    });
    return stop;
  }, [initial.id]);

  const cancel = async () => {
    try {
      setJob(await api(`/v1/jobs/${job.id}`, { method: 'DELETE' }));
    } catch (err) {
      setError(err);
    }
  };
  const skip = async () => {
    setSkipping(true);
    try {
      const record = await api(`/v1/jobs/${job.id}/skip`, { method: 'POST' });
      setJob((j) => (TERMINAL.includes(j.status) ? j : record));
    } catch (err) {
      setError(err);
    } finally {
      setSkipping(false);
    }
  };
  const done = TERMINAL.includes(job.status);
  const { last } = steps;
  const left = eta(steps.first, last);
  const fraction = last ? last.step / last.steps : 0;
  return (
    <article class={`job ${job.status}`} data-testid="job" data-job-id={job.id} aria-live="polite">
      <header>
        <span class="status" data-testid="job-status">{job.status}</span>
        <span class="prompt" title={job.spec.prompt}>{job.spec.prompt}</span>
        {!done && job.status !== 'queued' && batchesOf(job.spec) > 1 && (
          <button type="button" class="ghost" onClick={skip} disabled={skipping}
            title="End the running batch and go on with the next">Skip</button>
        )}
        {!done && <button type="button" class="ghost" onClick={cancel}>Cancel</button>}
      </header>
      {job.status === 'queued' && (
        <p data-testid="queue-place">{position != null
          ? `In queue: ${position ? `${position} ahead` : 'next to start'}`
          : `In queue${ahead ? `: ${ahead} of your jobs ahead` : ': next'}`}</p>
      )}
      {!done && job.status !== 'queued' && (
        <div class="progress-line">
          <progress max="1" value={fraction} aria-label="Progress" />
          <span data-testid="job-step">{last ? `Step ${last.step} / ${last.steps}` : 'Starting…'}</span>
          {left != null && <span data-testid="job-eta">ETA {left} s</span>}
        </div>
      )}
      {!done && (
        <div class="preview" data-testid="job-preview" aria-label="Preview">
          {job.images && job.images.length
            ? <img src={job.images[job.images.length - 1].url} alt="Latest image" />
            : preview
              ? <img src={preview} alt="Live preview" data-testid="live-preview" class="live" />
              : <span>{job.spec.width}×{job.spec.height}</span>}
        </div>
      )}
      {job.status === 'failed' && job.error && <p class="form-error" role="alert">{job.error.message}</p>}
      {error && <p class="form-error" role="alert">{error.message}</p>}
      {job.images && job.images.length > 0 && (
        <div class="images">
          {job.images.map((image) => (
            <figure key={image.index}>
              <img src={image.url} alt={`Image ${image.index + 1}: ${job.spec.prompt}`} data-testid="job-image" />
              <figcaption>
                Seed {image.seed}
                {onReuseSeed && <button type="button" class="link" onClick={() => onReuseSeed(image.seed)}>Reuse</button>}
                <a href={image.url} download={`${job.id}-${image.index}.png`}>Download</a>
              </figcaption>
            </figure>
          ))}
        </div>
      )}
    </article>
  );
}
