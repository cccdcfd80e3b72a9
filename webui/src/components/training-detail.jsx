// One training followed live (GET /v1/trainings/{id}/events, SSE, replayed from its start): status, step and ETA,
// the loss per step as a line chart, sample images as they are written, intermediate checkpoints (registered as
// models on request), cancel, "Use in Generate" once its model is registered, and the trainer's log (training-log.jsx).
import { useEffect, useState } from 'preact/hooks';
import { api, trainingEventsOf } from '../api.js';
import { handOver } from '../handoff.js';
import { LineChart } from './linechart.jsx';
import { FormError } from './form.jsx';
import { TrainingLog, useTrainingLog } from './training-log.jsx';
import { TERMINAL } from '../options.js';

const MAX_REOPEN = 5;
const REOPEN_MS = 2000;
const STATUSES = ['queued', 'preparing', 'starting', 'running', 'succeeded', 'failed', 'canceled'];

/** What a model adds to Generate: a prompt token for a LoRA, embedding or hypernetwork; a checkpoint is chosen. */
export function usageOf(model) {
  if (model.kind === 'lora') return { insert: `<lora:${model.name}:1>` };
  if (model.kind === 'embedding') return { insert: model.name };
  if (model.kind === 'hypernetwork') return { insert: `<hypernet:${model.name}:1>` };
  return { model: model.name };
}

/** Open Generate with `modelId` in use, on the training's base checkpoint when it is a network. */
async function useInGenerate(modelId, baseId) {
  const model = await api(`/v1/models/${encodeURIComponent(modelId)}`);
  const params = { tab: 'txt2img', ...usageOf(model) };
  if (!params.model) params.model = (await api(`/v1/models/${encodeURIComponent(baseId)}`)).name;
  handOver('generate', params);
}

function eta(seconds) {
  if (seconds == null) return '';
  return seconds >= 90 ? `${Math.round(seconds / 60)} min left` : `${Math.round(seconds)} s left`;
}

export function TrainingDetail({ training, onChange }) {
  const [record, setRecord] = useState(training);
  const [losses, setLosses] = useState(new Map()); // step -> loss (a resumed run's steps replace the earlier ones)
  const [error, setError] = useState(null);
  const [log, addLog] = useTrainingLog(training.id, record.status);
  const reload = () => api(`/v1/trainings/${encodeURIComponent(training.id)}`).then((r) => {
    setRecord(r);
    onChange(r);
  }, setError);

  const [attempt, setAttempt] = useState(0); // the stream is opened again (a few times) when it breaks off
  useEffect(() => {
    setRecord(training);
    setLosses(new Map());
    setAttempt(0);
  }, [training.id]);
  useEffect(() => {
    let retry = null;
    const stop = trainingEventsOf(training.id, (type, data, id) => {
      if (type === 'log') {
        addLog(id, data);
      } else if (type === 'error') { // a dropped connection or an ended session: refresh it (api does) and follow again
        reload();
        if (attempt < MAX_REOPEN) retry = setTimeout(() => setAttempt((a) => a + 1), REOPEN_MS);
      } else if (type === 'progress' && data && data.progress) {
        setLosses((old) => new Map(old).set(data.step, data.progress.loss));
        setRecord((r) => ({ ...r, status: 'running', step: data.step, total_steps: data.total_steps,
          progress: data.progress }));
      } else if (type === 'sample' || type === 'checkpoint') {
        reload();
      } else if (TERMINAL.includes(type) && data && data.id) {
        setRecord(data);
        onChange(data);
      } else if (STATUSES.includes(type)) {
        setRecord((r) => ({ ...r, status: type }));
      }
    });
    return () => {
      clearTimeout(retry);
      stop();
    };
  }, [training.id, attempt]);

  const act = (fn) => async () => {
    setError(null);
    try {
      await fn();
    } catch (err) {
      setError(err);
    }
  };
  const cancel = act(async () => {
    const r = await api(`/v1/trainings/${encodeURIComponent(record.id)}`, { method: 'DELETE' });
    setRecord(r);
    onChange(r);
  });
  const register = (step) => act(async () => {
    await api(`/v1/trainings/${encodeURIComponent(record.id)}/checkpoints/${step}/register`, { method: 'POST' });
    await reload();
  });
  const points = [...losses.entries()].sort((a, b) => a[0] - b[0]);
  const p = record.progress;
  return (
    <section class="panel training-detail" aria-label={`Training ${record.name}`} data-testid="training-detail">
      <h2>{record.name} <small class="hint">{record.method}</small></h2>
      <p>
        <span class={`status status-${record.status}`} data-testid="training-status">{record.status}</span>
        {' '}step <span data-testid="training-step">{record.step || 0}</span>
        {record.total_steps ? ` of ${record.total_steps}` : ''}
        {p && !TERMINAL.includes(record.status) ? ` · ${eta(p.eta_s)}` : ''}
      </p>
      {record.total_steps ? <progress max={record.total_steps} value={record.step || 0} aria-label="Steps" /> : null}
      <LineChart points={points} label="Loss per step" />
      {record.error && <p class="form-error" role="alert">{record.error.message}</p>}
      <div class="row">
        {!TERMINAL.includes(record.status) && (
          <button type="button" onClick={cancel} disabled={record.cancel_requested}>Cancel training</button>
        )}
        {record.model_id && (
          <button type="button" class="primary"
            onClick={act(() => useInGenerate(record.model_id, record.base_model))}>Use in Generate</button>
        )}
      </div>
      {record.samples.length > 0 && (
        <ul class="gallery samples" aria-label="Samples">
          {record.samples.map((s) => (
            <li key={s.index}>
              <figure>
                <img src={s.url} alt={`Sample at step ${s.step}`} data-testid="training-sample" loading="lazy" />
                <figcaption>step {s.step}</figcaption>
              </figure>
            </li>
          ))}
        </ul>
      )}
      {record.checkpoints.length > 0 && (
        <table class="list" aria-label="Checkpoints">
          <thead><tr><th>Step</th><th>Kind</th><th>Model</th></tr></thead>
          <tbody>
            {record.checkpoints.map((c) => (
              <tr key={c.step} data-testid="checkpoint-row">
                <td>{c.step}</td>
                <td>{c.kind}</td>
                <td>
                  {c.model_id
                    ? <button type="button" onClick={act(() => useInGenerate(c.model_id, record.base_model))}>
                      Use step {c.step}</button>
                    : <button type="button" onClick={register(c.step)}>Register step {c.step}</button>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <TrainingLog log={log} error={record.status === 'failed' ? record.error : null} />
      <FormError error={error} />
    </section>
  );
}
