// Admin / Usage (jobs:read:any): images, jobs, GPU-seconds, failures and quota rejections of the tenant per period
// (a column chart), per user and per role, from GET /v1/usage (the jobs service adds them up; quota rejections are
// the audit log's refused submissions, counted when the admin may read the audit log).
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { FormError, Select } from '../components/form.jsx';

const WINDOWS = [
  { value: '1', label: 'Last 24 hours' }, { value: '7', label: 'Last 7 days' }, { value: '30', label: 'Last 30 days' },
  { value: '90', label: 'Last 90 days' },
];
const MEASURES = [
  { value: 'images', label: 'Images' }, { value: 'gpu_seconds', label: 'GPU-seconds' }, { value: 'jobs', label: 'Jobs' },
];

/** Images (or another measure) per period as SVG columns: attributes only, no inline style (the CSP allows none). */
function PeriodChart({ periods, measure, bucket }) {
  const w = 600;
  const h = 80;
  const col = w / Math.max(1, periods.length);
  const top = Math.max(1, ...periods.map((p) => p[measure]));
  const when = (p) => new Date(p.period).toLocaleString([], bucket === 'hour'
    ? { hour: '2-digit', minute: '2-digit' } : { month: 'short', day: 'numeric' });
  const label = MEASURES.find((m) => m.value === measure).label;
  return (
    <svg class="usage-chart" viewBox={`0 0 ${w} ${h}`} preserveAspectRatio="none" role="img"
      aria-label={`${label} per ${bucket}`} data-testid="usage-chart">
      <line class="base" x1="0" y1={h - 0.5} x2={w} y2={h - 0.5} />
      {periods.map((p, i) => {
        const v = p[measure];
        const height = v ? Math.max(1, (v * (h - 2)) / top) : 0;
        return (
          <rect key={p.period} x={i * col} y={h - height} width={Math.max(1, col - 1)} height={height}>
            <title>{`${when(p)}: ${measure === 'gpu_seconds' ? v.toFixed(1) : v} ${label.toLowerCase()}`}</title>
          </rect>
        );
      })}
    </svg>
  );
}

function Bar({ value, max }) {
  return <meter min="0" max={Math.max(max, 1)} value={value} aria-hidden="true" />;
}

function Table({ title, head, rows, name }) {
  const most = (key) => Math.max(0, ...rows.map((r) => r[key]));
  return (
    <section class="panel" aria-label={title}>
      <h2>{title}</h2>
      <table class="list">
        <thead><tr><th>{head}</th><th>Jobs</th><th>Images</th><th>GPU-seconds</th>
          <th>Failed</th><th>Quota rejections</th></tr></thead>
        <tbody>
          {rows.map((r) => (
            <tr key={name(r)} data-testid="usage-row">
              <td>{name(r)}</td><td>{r.jobs}</td>
              <td>{r.images} <Bar value={r.images} max={most('images')} /></td>
              <td>{r.gpu_seconds.toFixed(1)} <Bar value={r.gpu_seconds} max={most('gpu_seconds')} /></td>
              <td>{r.failed}</td><td>{r.quota_rejections ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

export function UsagePage() {
  const [days, setDays] = useState('7');
  const [measure, setMeasure] = useState('images');
  const [usage, setUsage] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    setUsage(null);
    setError(null);
    api(`/v1/usage?days=${days}`).then(setUsage, setError);
  }, [days]);
  const t = usage && usage.totals;
  return (
    <div class="admin stack">
      <form class="row search" onSubmit={(e) => e.preventDefault()} aria-label="Usage window">
        <Select label="Window" name="window" value={days} onInput={setDays} options={WINDOWS} />
        <Select label="Chart" name="measure" value={measure} onInput={setMeasure} options={MEASURES} />
      </form>
      <FormError error={error} />
      {!usage && !error && <p aria-busy="true">Adding up…</p>}
      {usage && (
        <>
          <p class="hint" data-testid="usage-summary">
            {t.jobs} jobs, {t.images} images, {t.gpu_seconds.toFixed(1)} GPU-seconds, {t.failed} failed
            {t.quota_rejections !== null ? `, ${t.quota_rejections} quota rejections` : ''}.
            GPU-seconds are the workers' load and generation time.
            {usage.quota_rejections_complete ? '' : ' Quota rejections are not (all) counted: they need audit:read.'}
          </p>
          <section class="panel" aria-label={`Per ${usage.bucket}`}>
            <h2>Per {usage.bucket}</h2>
            <PeriodChart periods={usage.periods} measure={measure} bucket={usage.bucket} />
          </section>
          <Table title="Per user" head="User" rows={usage.users} name={(u) => u.username || u.user_id} />
          {usage.roles.length > 0 && <Table title="Per role" head="Role" rows={usage.roles} name={(r) => r.role} />}
        </>
      )}
    </div>
  );
}
