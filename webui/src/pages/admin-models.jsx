// Admin / Models (users:manage, a tenant's admin): every model of the tenant, whoever owns it
// (GET /v1/models?all_users=true), with its owner and visibility, and sharing changed for any of them
// (PATCH /v1/models/{id}; roles or public also need models:share, which the registry checks). The platform admin
// (tenants:manage) picks another tenant and shares its models the same way (?tenant= on each request).
import { Fragment } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { Field, FormError, Select } from '../components/form.jsx';
import { sizeOf } from '../components/quotas.jsx';
import { allows } from '../permissions.js';
import { ShareForm } from './models.jsx';

export function AdminModelsPage({ user }) {
  const [models, setModels] = useState(null);
  const [people, setPeople] = useState({});
  const [text, setText] = useState('');
  const [sharing, setSharing] = useState(null);
  const [error, setError] = useState(null);
  const platform = allows(user.permissions || [], 'tenants:manage');
  const [tenants, setTenants] = useState([]);
  const [tenant, setTenant] = useState(user.tenant_id || '');
  const other = platform && tenant && tenant !== user.tenant_id ? tenant : null;
  useEffect(() => {
    if (platform) api('/v1/tenants').then(setTenants, setError);
  }, []);
  useEffect(() => {
    const scope = other ? `tenant=${encodeURIComponent(other)}` : '';
    setModels(null);
    setSharing(null);
    setError(null);
    // the owners' names first, so a row never shows an id that turns into a name a moment later
    Promise.all([api(`/v1/models?all_users=true${scope ? `&${scope}` : ''}`),
      api(`/v1/users${scope ? `?${scope}` : ''}`)]).then(([list, users]) => {
      setPeople(Object.fromEntries(users.map((u) => [u.id, u.username])));
      setModels(list.items);
    }, setError);
  }, [other]);
  const ownerOf = (m) => people[m.owner_id] || m.owner_id;
  const needle = text.trim().toLowerCase();
  const shown = (models || []).filter((m) => !needle || [m.name, m.kind, m.base, ownerOf(m)]
    .some((v) => String(v || '').toLowerCase().includes(needle)));
  const replace = (model) => setModels((list) => list.map((m) => (m.id === model.id ? model : m)));
  return (
    <div class="admin stack">
      <form class="row search" role="search" onSubmit={(e) => e.preventDefault()}>
        {platform && (
          <Select label="Tenant" name="tenant" value={tenant} onInput={setTenant}
            options={(tenants.some((t) => t.id === tenant) ? tenants : [{ id: tenant }, ...tenants])
              .map((t) => ({ value: t.id, label: t.display_name ? `${t.display_name} (${t.id})` : t.id }))} />
        )}
        <Field label="Search models or owners" name="q" type="search" value={text} onInput={setText} />
      </form>
      <FormError error={error} />
      {models && shown.length === 0 && <p class="empty">No model matches.</p>}
      <table class="list" aria-label={other ? `Models of tenant ${other}` : 'Tenant models'}>
        <thead>
          <tr><th>Name</th><th>Kind</th><th>Base</th><th>Size</th><th>Owner</th><th>Visibility</th><th>Status</th>
            <th /></tr>
        </thead>
        <tbody>
          {shown.map((m) => (
            <Fragment key={m.id}>
              <tr data-testid="tenant-model-row">
                <td>{m.name}</td><td>{m.kind}</td><td>{m.base}</td><td>{sizeOf(m.size)}</td>
                <td>{ownerOf(m)}</td>
                <td>{m.visibility}{m.visibility === 'roles' && ` (${(m.shared_roles || []).join(', ')})`}</td>
                <td>{m.status}</td>
                <td class="actions">
                  <button type="button" class="link" onClick={() => setSharing(m.id)}
                    aria-label={`Share ${m.name}`}>Share</button>
                </td>
              </tr>
              {sharing === m.id && (
                <tr><td colSpan={8}>
                  <ShareForm model={m} user={user} owner={ownerOf(m)} tenant={other} onClose={() => setSharing(null)}
                    onSaved={(model) => { replace(model); setSharing(null); }} />
                </td></tr>
              )}
            </Fragment>
          ))}
        </tbody>
      </table>
    </div>
  );
}
