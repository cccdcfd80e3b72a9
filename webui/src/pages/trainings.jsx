// Trainings (trainings:create): the user's datasets (upload with progress, delete), a form per method to start a
// training, the user's trainings (GET /v1/trainings, 20 a page by cursor, polled while any is unfinished) and the
// chosen one followed live (components/training-detail.jsx: loss chart, samples, checkpoints, cancel, use in Generate).
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { DatasetUpload } from '../components/dataset-upload.jsx';
import { TrainingDetail } from '../components/training-detail.jsx';
import { TrainingForm, poolsOf } from '../components/training-form.jsx';
import { FormError } from '../components/form.jsx';
import { sizeOf } from '../components/quotas.jsx';
import { TERMINAL } from '../options.js';

const REFRESH_MS = 3000;
export const TRAININGS_PAGE = 20;

function Datasets({ datasets, user, onDeleted, onError }) {
  const remove = async (d) => {
    try {
      await api(`/v1/datasets/${encodeURIComponent(d.id)}`, { method: 'DELETE' });
      onDeleted(d);
    } catch (err) {
      onError(err);
    }
  };
  if (!datasets) return null;
  if (!datasets.length) return <p class="empty" data-testid="no-datasets">No datasets yet.</p>;
  return (
    <table class="list" aria-label="Datasets">
      <thead><tr><th>Name</th><th>Images</th><th>Smallest side</th><th>Size</th><th /></tr></thead>
      <tbody>
        {datasets.map((d) => (
          <tr key={d.id} data-testid="dataset-row">
            <td>{d.name}</td><td>{d.images}</td><td>{d.min_side} px</td><td>{sizeOf(d.size)}</td>
            <td>{d.owner_id === user.user_id && (
              <button type="button" class="ghost" onClick={() => remove(d)} aria-label={`Delete dataset ${d.name}`}>
                Delete</button>)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function TrainingsPage({ user }) {
  const [datasets, setDatasets] = useState(null); // null: not yet listed
  const [checkpoints, setCheckpoints] = useState([]);
  const [trainings, setTrainings] = useState(null);
  const [cursors, setCursors] = useState([null]); // each page's cursor seen so far (GET /v1/trainings paging)
  const [next, setNext] = useState(null);
  const cursor = cursors[cursors.length - 1];
  const [open, setOpen] = useState(null);
  const [tick, setTick] = useState(0);
  const [error, setError] = useState(null);

  useEffect(() => {
    api('/v1/datasets').then((list) => setDatasets(list.items), setError);
    api('/v1/models?kind=checkpoint').then(
      (list) => setCheckpoints(list.items.filter((m) => m.status !== 'failed' && m.status !== 'importing')),
      setError);
  }, []);
  useEffect(() => {
    const query = new URLSearchParams({ limit: String(TRAININGS_PAGE) });
    if (cursor) query.set('cursor', cursor);
    api(`/v1/trainings?${query}`).then((list) => {
      setTrainings(list.items);
      setNext(list.next_cursor || null);
    }, setError);
  }, [tick, cursor]);
  const unfinished = trainings && trainings.some((t) => !TERMINAL.includes(t.status));
  useEffect(() => {
    if (!unfinished) return undefined;
    const timer = setTimeout(() => setTick((t) => t + 1), REFRESH_MS);
    return () => clearTimeout(timer);
  }, [trainings]);

  const changed = (record) => setTrainings((list) => (list || []).map((t) => (t.id === record.id ? record : t)));
  const started = (record) => {
    if (cursors.length === 1) setTrainings((list) => [record, ...(list || [])]);
    else setCursors([null]); // back to the newest page, where it is
    setOpen(record);
  };
  return (
    <div class="trainings">
      <FormError error={error} />
      <div class="columns">
        <div>
          <DatasetUpload onUploaded={(d) => setDatasets((list) => [d, ...(list || [])])} />
          <section class="panel" aria-label="Your datasets">
            <h2>Datasets</h2>
            <Datasets datasets={datasets} user={user} onError={setError}
              onDeleted={(d) => setDatasets((list) => list.filter((x) => x.id !== d.id))} />
          </section>
          <TrainingForm datasets={datasets || []} checkpoints={checkpoints} pools={poolsOf(user.permissions)}
            onStarted={started} />
        </div>
        <div>
          <section class="panel" aria-label="Your trainings">
            <h2>Trainings</h2>
            {trainings && trainings.length === 0 && <p class="empty">No trainings yet.</p>}
            {trainings && trainings.length > 0 && (
              <table class="list">
                <thead><tr><th>Name</th><th>Method</th><th>Status</th><th>Step</th><th /></tr></thead>
                <tbody>
                  {trainings.map((t) => (
                    <tr key={t.id} data-testid="training-row" aria-current={open && open.id === t.id}>
                      <td>{t.name}</td><td>{t.method}</td><td class={`status status-${t.status}`}>{t.status}</td>
                      <td>{t.step || 0}{t.total_steps ? ` / ${t.total_steps}` : ''}</td>
                      <td><button type="button" onClick={() => setOpen(t)} aria-label={`Open training ${t.name}`}>
                        Open</button></td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            {(cursors.length > 1 || next) && (
              <nav class="pager" aria-label="Training pages">
                <button type="button" disabled={cursors.length === 1}
                  onClick={() => setCursors((c) => c.slice(0, -1))}>Newer</button>
                <span data-testid="trainings-page">Page {cursors.length}</span>
                <button type="button" disabled={!next} onClick={() => setCursors((c) => [...c, next])}>Older</button>
              </nav>
            )}
          </section>
          {open && <TrainingDetail key={open.id} training={open} onChange={changed} />}
        </div>
      </div>
    </div>
  );
}
