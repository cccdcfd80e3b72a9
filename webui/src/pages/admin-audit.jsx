// Admin / Audit log (audit:read): the tenant's audit events newest first (GET /v1/audit), filtered by actor,
// action, target prefix, outcome and time, a page at a time (the API's cursor).
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { Field, FormError, Select } from '../components/form.jsx';

export const AUDIT_PAGE = 50;
const BLANK = { actor_id: '', action: '', target: '', outcome: '', since: '', until: '' };

export function AuditPage() {
  const [form, setForm] = useState(BLANK);
  const [filters, setFilters] = useState(BLANK);
  const [cursors, setCursors] = useState([null]);
  const [page, setPage] = useState(null);
  const [error, setError] = useState(null);
  const cursor = cursors[cursors.length - 1];
  const set = (name) => (value) => setForm((f) => ({ ...f, [name]: value }));

  useEffect(() => {
    const params = new URLSearchParams({ limit: String(AUDIT_PAGE) });
    Object.entries(filters).forEach(([k, v]) => {
      if (!v) return;
      // datetime-local is the browser's local time: send it with its offset
      params.set(k, k === 'since' || k === 'until' ? new Date(v).toISOString() : v.trim());
    });
    if (cursor) params.set('cursor', cursor);
    setError(null);
    api(`/v1/audit?${params}`).then(setPage, setError);
  }, [filters, cursor]);

  const submit = (e) => {
    e.preventDefault();
    setCursors([null]);
    setFilters({ ...form });
  };
  const names = ['actor_id', 'action', 'target', 'outcome', 'since', 'until'];
  return (
    <div class="admin audit">
      <form class="panel" onSubmit={submit} aria-label="Filter the audit log">
        <div class="row">
          <Field label="Actor (user id)" name="actor_id" value={form.actor_id} onInput={set('actor_id')} error={error} />
          <Field label="Action" name="action" value={form.action} onInput={set('action')} error={error}
            hint="e.g. job.submit, user.create" />
          <Field label="Target" name="target" value={form.target} onInput={set('target')} error={error}
            hint="a prefix, e.g. user:<id>" />
          <Select label="Outcome" name="outcome" value={form.outcome} onInput={set('outcome')} error={error}
            options={[{ value: '', label: 'Any' }, 'ok', 'denied', 'invalid', 'error']} />
          <Field label="Since" name="since" type="datetime-local" value={form.since} onInput={set('since')}
            error={error} />
          <Field label="Until" name="until" type="datetime-local" value={form.until} onInput={set('until')}
            error={error} />
        </div>
        <button type="submit">Filter</button>{' '}
        <button type="button" class="ghost" onClick={() => { setForm(BLANK); setCursors([null]); setFilters(BLANK); }}>
          Clear</button>
      </form>
      <FormError error={error} claimed={names} />
      {page && page.items.length === 0 && <p class="empty">No event matches.</p>}
      <table class="list" aria-label="Audit events">
        <thead><tr><th>When</th><th>Actor</th><th>Action</th><th>Target</th><th>Outcome</th><th>From</th></tr></thead>
        <tbody>
          {(page ? page.items : []).map((ev) => (
            <tr key={ev.id} data-testid="audit-row" class={`outcome-${ev.outcome}`}>
              <td>{new Date(ev.at).toLocaleString()}</td>
              <td>{ev.actor_name || ev.actor_id || '—'}</td>
              <td>{ev.action}</td>
              <td><code>{ev.target || ''}</code></td>
              <td>{ev.outcome}{ev.status ? ` (${ev.status})` : ''}</td>
              <td>{ev.source || ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <nav class="pager" aria-label="Audit pages">
        <button type="button" disabled={cursors.length === 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
          Newer</button>
        <span data-testid="audit-page">Page {cursors.length}</span>
        <button type="button" disabled={!page || !page.next_cursor}
          onClick={() => setCursors((c) => [...c, page.next_cursor])}>Older</button>
      </nav>
    </div>
  );
}
