// Admin / Users (users:manage): the caller's tenant's users (every tenant's for the platform admin, who may name
// one when creating): create, disable or enable, delete, reset a password, set roles and per-user quota overrides.
import { Fragment } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { Checkbox, Field, FormError } from '../components/form.jsx';
import { QuotaFields, listOf, quotaBody, quotaForm } from '../components/quotas.jsx';
import { allows } from '../permissions.js';

function RolePicker({ roles, value, onInput, error, name = 'roles' }) {
  // with the roles list (roles:manage): checkboxes; without: a comma-separated field
  if (!roles) {
    return <Field label="Roles (comma-separated)" name={name} value={value.join(', ')} error={error}
      onInput={(v) => onInput(listOf(v))} />;
  }
  return (
    <fieldset class="roles">
      <legend>Roles</legend>
      <div class="row">
        {roles.map((r) => (
          <Checkbox key={r.name} label={r.name} name={`role-${r.name}`} checked={value.includes(r.name)}
            onInput={(on) => onInput(on ? [...value, r.name] : value.filter((x) => x !== r.name))} />
        ))}
      </div>
      {error && error.field && error.field.startsWith(name) && <small class="error" role="alert">{error.message}</small>}
    </fieldset>
  );
}

function NewUser({ roles, platform, onMade }) {
  const blank = { username: '', password: '', tenant_id: '', roles: ['user'] };
  const [form, setForm] = useState(blank);
  const [error, setError] = useState(null);
  const set = (name) => (value) => setForm((f) => ({ ...f, [name]: value }));
  const submit = async (e) => {
    e.preventDefault();
    setError(null);
    const json = { username: form.username.trim(), roles: form.roles };
    if (form.password) json.password = form.password;
    if (platform && form.tenant_id.trim()) json.tenant_id = form.tenant_id.trim();
    try {
      onMade(await api('/v1/users', { method: 'POST', json }));
      setForm(blank);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form class="panel" onSubmit={submit} aria-labelledby="new-user-title">
      <h2 id="new-user-title">New user</h2>
      <div class="row">
        <Field label="Username" name="username" value={form.username} onInput={set('username')} error={error}
          required autocomplete="off" />
        <Field label="Initial password" name="password" type="password" value={form.password}
          onInput={set('password')} error={error} autocomplete="new-password" />
        {platform && <Field label="Tenant" name="tenant_id" value={form.tenant_id} onInput={set('tenant_id')}
          error={error} hint="empty: yours" />}
      </div>
      <RolePicker roles={roles} value={form.roles} onInput={set('roles')} error={error} />
      <FormError error={error} claimed={['username', 'password', 'tenant_id', 'roles']} />
      <button type="submit">Create user</button>
    </form>
  );
}

function UserKeys({ target }) {
  const url = `/v1/users/${encodeURIComponent(target.id)}/keys`;
  const [keys, setKeys] = useState([]);
  const [fresh, setFresh] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => { api(url).then(setKeys, setError); }, [target.id]);
  const create = async () => {
    setError(null);
    try {
      const key = await api(url, { method: 'POST', json: { name: 'admin-issued' } });
      setFresh(key);
      setKeys((list) => [...list, { ...key, secret: null }]);
    } catch (err) {
      setError(err);
    }
  };
  const revoke = async (key) => {
    setError(null);
    try {
      const done = await api(`${url}/${encodeURIComponent(key.id)}`, { method: 'DELETE' });
      setKeys((list) => list.map((k) => (k.id === key.id ? done : k)));
    } catch (err) {
      setError(err);
    }
  };
  return (
    <fieldset class="keys">
      <legend>API keys</legend>
      {fresh && <p class="secret" role="status">New key (shown once): <code>{fresh.secret}</code></p>}
      <ul class="plain">
        {keys.map((k) => (
          <li key={k.id}><code>{k.prefix}…</code> {k.name} {k.revoked_at ? <span class="hint">revoked</span> : (
            <button type="button" class="link danger" onClick={() => revoke(k)}
              aria-label={`Revoke key ${k.name} of ${target.username}`}>Revoke</button>)}</li>
        ))}
      </ul>
      <button type="button" onClick={create}>Issue a key</button>
      <FormError error={error} />
    </fieldset>
  );
}

function EditUser({ target, roles, onSaved, onClose }) {
  const [userRoles, setUserRoles] = useState(target.roles);
  const [quotas, setQuotas] = useState(quotaForm(target.quotas));
  const [password, setPassword] = useState('');
  const [error, setError] = useState(null);
  const [note, setNote] = useState('');
  const url = `/v1/users/${encodeURIComponent(target.id)}`;
  const save = async (e) => {
    e.preventDefault();
    setError(null);
    try {
      onSaved(await api(url, { method: 'PATCH', json: { roles: userRoles, quotas: quotaBody(quotas) } }));
      setNote('Saved.');
    } catch (err) {
      setError(err);
    }
  };
  const reset = async (e) => {
    e.preventDefault();
    setError(null);
    try {
      await api(`${url}/password`, { method: 'PUT', json: { new_password: password } });
      setPassword('');
      setNote('Password set; their sessions have ended.');
    } catch (err) {
      setError(err);
    }
  };
  return (
    <div class="edit" data-testid="edit-user">
      <form onSubmit={save} aria-label={`Roles and quotas of ${target.username}`}>
        <RolePicker roles={roles} value={userRoles} onInput={setUserRoles} error={error} />
        <QuotaFields value={quotas} onInput={setQuotas} error={error} legend="Quota overrides (over their roles')" />
        <button type="submit">Save roles and quotas</button>
      </form>
      <form class="row" onSubmit={reset} aria-label={`Reset the password of ${target.username}`}>
        <Field label="New password" name="new_password" type="password" value={password} onInput={setPassword}
          error={error} autocomplete="new-password" required />
        <button type="submit">Reset password</button>
      </form>
      <FormError error={error} claimed={['roles', 'quotas', 'new_password']} />
      <UserKeys target={target} />
      {note && <p class="saved" role="status">{note}</p>}
      <button type="button" class="ghost" onClick={onClose}>Close</button>
    </div>
  );
}

export function UsersPage({ user }) {
  const [users, setUsers] = useState(null);
  const [roles, setRoles] = useState(null);
  const [open, setOpen] = useState(null);
  const [text, setText] = useState('');
  const [error, setError] = useState(null);
  const platform = allows(user.permissions || [], 'tenants:manage');

  useEffect(() => {
    api('/v1/users').then(setUsers, setError);
    if (allows(user.permissions || [], 'roles:manage')) api('/v1/roles').then(setRoles, () => setRoles(null));
  }, []);
  const replace = (u) => setUsers((list) => list.map((x) => (x.id === u.id ? u : x)));
  const toggle = async (u) => {
    setError(null);
    try {
      replace(await api(`/v1/users/${encodeURIComponent(u.id)}`, { method: 'PATCH', json: { disabled: !u.disabled } }));
    } catch (err) {
      setError(err);
    }
  };
  const remove = async (u) => {
    if (!window.confirm(`Delete the user ${u.username}? Their keys stop working at once.`)) return;
    setError(null);
    try {
      await api(`/v1/users/${encodeURIComponent(u.id)}`, { method: 'DELETE' });
      setUsers((list) => list.filter((x) => x.id !== u.id));
    } catch (err) {
      setError(err);
    }
  };
  const shown = (users || []).filter((u) => !text || u.username.toLowerCase().includes(text.toLowerCase()));
  const quotaText = (q) => Object.entries(q || {}).filter(([, v]) => v != null).map(([k, v]) => `${k}: ${v}`)
    .join(', ');
  return (
    <div class="admin stack">
      <NewUser roles={roles} platform={platform} onMade={(u) => setUsers((list) => [...(list || []), u])} />
      <section class="panel" aria-labelledby="users-title">
        <h2 id="users-title">Users</h2>
        <Field label="Find a user" name="find" type="search" value={text} onInput={setText} />
        <FormError error={error} />
        <table class="list" aria-label="Users">
          <thead><tr><th>Username</th>{platform && <th>Tenant</th>}<th>Roles</th><th>Quota overrides</th>
            <th>State</th><th /></tr></thead>
          <tbody>
            {shown.map((u) => (
              <Fragment key={u.id}>
                <tr data-testid="user-row">
                  <td>{u.username}</td>{platform && <td>{u.tenant_id}</td>}
                  <td>{u.roles.join(', ')}</td>
                  <td class="hint">{quotaText(u.quotas)}</td>
                  <td>{u.disabled ? 'disabled' : 'active'}</td>
                  <td class="actions">
                    <button type="button" class="link" onClick={() => setOpen(open === u.id ? null : u.id)}
                      aria-label={`Edit ${u.username}`}>Edit</button>
                    {u.id !== user.user_id && (
                      <>
                        <button type="button" class="link" onClick={() => toggle(u)}
                          aria-label={`${u.disabled ? 'Enable' : 'Disable'} ${u.username}`}>
                          {u.disabled ? 'Enable' : 'Disable'}</button>
                        <button type="button" class="link danger" onClick={() => remove(u)}
                          aria-label={`Delete ${u.username}`}>Delete</button>
                      </>
                    )}
                  </td>
                </tr>
                {open === u.id && (
                  <tr><td colSpan={6}>
                    <EditUser target={u} roles={roles} onSaved={replace} onClose={() => setOpen(null)} />
                  </td></tr>
                )}
              </Fragment>
            ))}
          </tbody>
        </table>
      </section>
    </div>
  );
}
