// Admin / GPU pools (pools:manage, the platform admin's): each pool with its status (GET /v1/pools/{name}/status,
// polled: queue depth as a small chart of the samples seen on this page, workers by state, jobs/min, failures),
// and pools created or edited (GPU type, autoscaling limits, the roles that may use it). Configured pools
// (source: config) are read-only.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api.js';
import { Checkbox, Field, FormError } from '../components/form.jsx';
import { listOf } from '../components/quotas.jsx';

const POLL_MS = 5000;
const SAMPLES = 36; // three minutes of queue depth at POLL_MS

/** A small SVG column chart of the last samples, on a baseline (SVG attributes, no inline style: the CSP allows
 * none). */
export function Spark({ values, label }) {
  const w = 180;
  const h = 36;
  const col = w / SAMPLES;
  const top = Math.max(1, ...values);
  return (
    <svg class="spark" width={w} height={h} viewBox={`0 0 ${w} ${h}`} role="img" aria-label={label}>
      <line class="base" x1="0" y1={h - 0.5} x2={w} y2={h - 0.5} />
      {values.map((v, i) => {
        const height = Math.max(1, (v * (h - 2)) / top);
        return <rect key={i} x={i * col} y={h - height} width={col - 1} height={height} />;
      })}
    </svg>
  );
}

/** Workers by state as one stacked bar. */
function WorkerBar({ workers, max }) {
  const states = ['busy', 'idle', 'starting', 'draining'];
  const total = Math.max(max || 0, workers.length, 1);
  let x = 0;
  return (
    <svg class="bar" width="180" height="14" viewBox={`0 0 ${total} 1`} preserveAspectRatio="none" role="img"
      aria-label={states.map((s) => `${workers.filter((w) => w.state === s).length} ${s}`).join(', ')}>
      <rect class="slot" x="0" y="0" width={total} height="1" />
      {states.map((s) => {
        const n = workers.filter((w) => w.state === s).length;
        const r = <rect key={s} class={`w-${s}`} x={x} y="0" width={n} height="1" />;
        x += n;
        return r;
      })}
    </svg>
  );
}

function PoolStatus({ pool }) {
  const [status, setStatus] = useState(null);
  const [error, setError] = useState(null);
  const depths = useRef([]);
  useEffect(() => {
    let live = true;
    const look = () => api(`/v1/pools/${encodeURIComponent(pool.name)}/status`).then((s) => {
      if (!live) return;
      depths.current = [...depths.current, s.queue_depth].slice(-SAMPLES);
      setStatus(s);
    }, (err) => live && setError(err));
    look();
    const timer = setInterval(look, POLL_MS);
    return () => { live = false; clearInterval(timer); };
  }, [pool.name]);
  if (error) return <span class="error">{error.message}</span>;
  if (!status) return <span class="hint">…</span>;
  const waited = status.oldest_waiting_at ? Math.round((Date.now() - new Date(status.oldest_waiting_at)) / 1000) : null;
  return (
    <div class="pool-status" data-testid="pool-status">
      <div><Spark values={depths.current} label={`Queue depth of ${pool.name} over the last minutes`} />
        <small data-testid="pool-queue">{status.queue_depth} queued
          {waited != null && `, oldest waiting ${waited} s`}</small></div>
      <div><WorkerBar workers={status.workers || []} max={pool.max_workers} />
        <small>{(status.workers || []).length} of {pool.max_workers} workers
          ({(status.workers || []).filter((w) => w.state === 'busy').length} busy)</small></div>
      <small>{status.jobs_per_minute.toFixed(1)} jobs/min · {status.failures_last_hour} failures in the last hour</small>
    </div>
  );
}

const NUMBERS = [
  ['gpus_per_worker', 'GPUs per worker'], ['min_workers', 'Min workers'], ['max_workers', 'Max workers'],
  ['queue_depth_target', 'Jobs waiting per worker'], ['cooldown_seconds', 'Cooldown (s)'],
];

function PoolForm({ pool, onSaved, onClose }) {
  const editing = !!pool;
  const [form, setForm] = useState(() => ({
    name: pool ? pool.name : '', description: pool ? pool.description || '' : '',
    gpu_type: pool ? pool.gpu_type || '' : '', instance_type: pool ? pool.instance_type || '' : '',
    gpus_per_worker: pool ? pool.gpus_per_worker : 1, min_workers: pool ? pool.min_workers : 0,
    max_workers: pool ? pool.max_workers : 1, queue_depth_target: pool ? pool.queue_depth_target : 2,
    cooldown_seconds: pool ? pool.cooldown_seconds : 300, roles: pool ? (pool.roles || []).join(', ') : '',
    enabled: pool ? pool.enabled !== false : true,
  }));
  const [error, setError] = useState(null);
  const set = (name) => (value) => setForm((f) => ({ ...f, [name]: value }));
  const submit = async (e) => {
    e.preventDefault();
    setError(null);
    const json = { description: form.description, gpu_type: form.gpu_type, instance_type: form.instance_type,
      roles: listOf(form.roles), enabled: form.enabled };
    NUMBERS.forEach(([k]) => { json[k] = form[k] === '' ? null : Number(form[k]); });
    try {
      if (editing) {
        const change = await api(`/v1/pools/${encodeURIComponent(pool.name)}`, { method: 'PATCH', json });
        onSaved(change.pool);
      } else {
        if (!json.gpu_type) delete json.gpu_type;
        if (!json.instance_type) delete json.instance_type;
        onSaved(await api('/v1/pools', { method: 'POST', json: { name: form.name.trim(), ...json } }));
      }
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form class="panel" onSubmit={submit} aria-label={editing ? `Edit pool ${pool.name}` : 'New pool'}>
      <h2>{editing ? `Pool ${pool.name}` : 'New pool'}</h2>
      <div class="row align-top">
        {!editing && <Field label="Pool name" name="name" value={form.name} onInput={set('name')} error={error}
          required />}
        <Field label="Description" name="description" value={form.description} onInput={set('description')}
          error={error} />
        <Field label="GPU type" name="gpu_type" value={form.gpu_type} onInput={set('gpu_type')} error={error}
          hint="e.g. NVIDIA-A10G" />
        <Field label="Instance type" name="instance_type" value={form.instance_type} onInput={set('instance_type')}
          error={error} />
      </div>
      <div class="row">
        {NUMBERS.map(([k, label]) => (
          <Field key={k} label={label} name={k} type="number" min="0" value={form[k]} onInput={set(k)}
            error={error} />
        ))}
      </div>
      <div class="row">
        <Field label="Roles that may use it (comma-separated)" name="roles" value={form.roles} onInput={set('roles')}
          error={error} />
        <Checkbox label="Enabled (takes new jobs)" name="enabled" checked={form.enabled} onInput={set('enabled')} />
      </div>
      <FormError error={error} claimed={['name', 'description', 'gpu_type', 'instance_type', 'roles', 'enabled',
        ...NUMBERS.map(([k]) => k)]} />
      <button type="submit">{editing ? 'Save pool' : 'Create pool'}</button>
      {onClose && <button type="button" class="ghost" onClick={onClose}>Cancel</button>}
    </form>
  );
}

export function PoolsPage() {
  const [pools, setPools] = useState(null);
  const [editing, setEditing] = useState(null);
  const [formKey, setFormKey] = useState(0);
  const [error, setError] = useState(null);
  useEffect(() => { api('/v1/pools').then(setPools, setError); }, []);
  const saved = (pool) => {
    setPools((list) => [...(list || []).filter((p) => p.name !== pool.name), pool]
      .sort((a, b) => a.name.localeCompare(b.name)));
    setEditing(null);
    setFormKey((k) => k + 1);
  };
  const edited = editing && pools && pools.find((p) => p.name === editing);
  return (
    <div class="admin stack">
      {edited
        ? <PoolForm key={edited.name} pool={edited} onSaved={saved} onClose={() => setEditing(null)} />
        : <PoolForm key={formKey} onSaved={saved} />}
      <section class="panel" aria-labelledby="pools-title">
        <h2 id="pools-title">GPU pools</h2>
        <FormError error={error} />
        <table class="list" aria-label="Pools">
          <thead><tr><th>Pool</th><th>GPU</th><th>Workers</th><th>Roles</th><th>Status</th><th /></tr></thead>
          <tbody>
            {(pools || []).map((p) => (
              <tr key={p.name} data-testid="pool-row">
                <td><strong>{p.name}</strong>{!p.enabled && <small class="error"> disabled</small>}
                  <br /><small class="hint">{p.description}</small></td>
                <td>{p.gpu_type || '—'}{p.instance_type && <small class="hint"> {p.instance_type}</small>}</td>
                <td>{p.min_workers}–{p.max_workers}</td>
                <td>{(p.roles || []).join(', ')}</td>
                <td><PoolStatus pool={p} /></td>
                <td class="actions">{p.source === 'config'
                  ? <small class="hint">configured</small>
                  : <button type="button" class="link" onClick={() => setEditing(p.name)}
                    aria-label={`Edit pool ${p.name}`}>Edit</button>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </div>
  );
}
