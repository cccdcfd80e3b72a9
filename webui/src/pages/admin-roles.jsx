// Admin / Roles (roles:manage): built-in roles shown read-only; custom roles created, edited (permissions and
// quotas) and deleted. The permission picker offers only what the admin holds (the API refuses the rest).
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { Checkbox, Field, FormError } from '../components/form.jsx';
import { QuotaFields, listOf, quotaBody, quotaForm } from '../components/quotas.jsx';
import { allows } from '../permissions.js';

// easel_proto.permissions.KNOWN, with what each lets a holder do
export const PERMISSIONS = [
  ['jobs:create', 'Generate (submit jobs)'],
  ['jobs:read:any', "Read the tenant's jobs"],
  ['jobs:cancel:any', "Cancel the tenant's jobs"],
  ['models:read', 'Use models'],
  ['models:write', 'Import and change own models'],
  ['models:share', 'Share models with roles or the tenant'],
  ['trainings:create', 'Fine-tune (datasets, trainings)'],
  ['users:manage', 'Manage users'],
  ['roles:manage', 'Manage roles'],
  ['audit:read', 'Read the audit log'],
  ['tenants:manage', 'Manage tenants (platform)'],
  ['pools:manage', 'Manage GPU pools (platform)'],
];
const LISTED = new Set(PERMISSIONS.map(([p]) => p));

function RoleForm({ role, grantable, onSaved, onClose }) {
  const editing = !!role;
  const [name, setName] = useState(role ? role.name : '');
  const [perms, setPerms] = useState(role ? role.permissions.filter((p) => LISTED.has(p)) : ['jobs:create', 'models:read']);
  const [other, setOther] = useState(role ? role.permissions.filter((p) => !LISTED.has(p)).join(', ') : '');
  const [quotas, setQuotas] = useState(quotaForm(role && role.quotas));
  const [error, setError] = useState(null);
  const submit = async (e) => {
    e.preventDefault();
    setError(null);
    const json = { permissions: [...perms, ...listOf(other)], quotas: quotaBody(quotas) };
    try {
      const saved = editing
        ? await api(`/v1/roles/${encodeURIComponent(role.name)}`, { method: 'PUT', json })
        : await api('/v1/roles', { method: 'POST', json: { name: name.trim(), ...json } });
      onSaved(saved);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form class="panel" onSubmit={submit} aria-label={editing ? `Edit role ${role.name}` : 'New role'}>
      <h2>{editing ? `Role ${role.name}` : 'New role'}</h2>
      {!editing && <Field label="Role name" name="name" value={name} onInput={setName} error={error} required
        hint="lowercase letters, digits, - and _" />}
      <fieldset class="permissions">
        <legend>Permissions</legend>
        <div class="grid">
          {grantable.map(([p, text]) => (
            <Checkbox key={p} label={`${text} (${p})`} name={`perm-${p}`} checked={perms.includes(p)}
              onInput={(on) => setPerms((list) => (on ? [...list, p] : list.filter((x) => x !== p)))} />
          ))}
        </div>
        <Field label="Pool use and other permissions (comma-separated)" name="permissions" value={other}
          onInput={setOther} error={error} hint="e.g. pools:use:default" />
      </fieldset>
      <QuotaFields value={quotas} onInput={setQuotas} error={error} />
      <FormError error={error} claimed={['name', 'permissions', 'quotas']} />
      <button type="submit">{editing ? 'Save role' : 'Create role'}</button>
      {onClose && <button type="button" class="ghost" onClick={onClose}>Cancel</button>}
    </form>
  );
}

export function RolesPage({ user }) {
  const [roles, setRoles] = useState(null);
  const [editing, setEditing] = useState(null);
  const [error, setError] = useState(null);
  const [formKey, setFormKey] = useState(0);
  const grantable = PERMISSIONS.filter(([p]) => allows(user.permissions || [], p));
  useEffect(() => { api('/v1/roles').then(setRoles, setError); }, []);

  const saved = (role) => {
    setRoles((list) => [...list.filter((r) => r.name !== role.name), role]);
    setEditing(null);
    setFormKey((k) => k + 1);
  };
  const remove = async (role) => {
    if (!window.confirm(`Delete the role ${role.name}?`)) return;
    setError(null);
    try {
      await api(`/v1/roles/${encodeURIComponent(role.name)}`, { method: 'DELETE' });
      setRoles((list) => list.filter((r) => r.name !== role.name));
    } catch (err) {
      setError(err);
    }
  };
  const edited = editing && roles && roles.find((r) => r.name === editing);
  return (
    <div class="admin stack">
      {edited
        ? <RoleForm key={edited.name} role={edited} grantable={grantable} onSaved={saved} onClose={() => setEditing(null)} />
        : <RoleForm key={formKey} grantable={grantable} onSaved={saved} />}
      <section class="panel" aria-labelledby="roles-title">
        <h2 id="roles-title">Roles</h2>
        <FormError error={error} />
        <table class="list" aria-label="Roles">
          <thead><tr><th>Name</th><th>Permissions</th><th>Quotas</th><th /></tr></thead>
          <tbody>
            {(roles || []).map((r) => (
              <tr key={r.name} data-testid="role-row">
                <td>{r.name}{r.builtin && <small class="hint"> built in</small>}</td>
                <td>{r.permissions.join(', ')}</td>
                <td class="hint">{Object.entries(r.quotas || {}).filter(([, v]) => v != null)
                  .map(([k, v]) => `${k}: ${v}`).join(', ')}</td>
                <td class="actions">{!r.builtin && (
                  <>
                    <button type="button" class="link" onClick={() => setEditing(r.name)}
                      aria-label={`Edit role ${r.name}`}>Edit</button>
                    <button type="button" class="link danger" onClick={() => remove(r)}
                      aria-label={`Delete role ${r.name}`}>Delete</button>
                  </>
                )}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </div>
  );
}
