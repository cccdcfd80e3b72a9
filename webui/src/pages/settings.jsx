// Settings: the user's own defaults for generation fields and saved styles (GET/PATCH /v1/me/settings), their API
// keys (/v1/me/keys: a new key's secret is shown once, with a copy button) and their password (PUT /v1/me/password).
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { Field, FormError, Select, TextArea } from '../components/form.jsx';
import { SAMPLERS, SCHEDULERS } from '../options.js';

const NUMBERS = ['steps', 'cfg_scale', 'width', 'height', 'clip_skip'];
const TEXTS = ['model', 'sampler', 'scheduler', 'negative_prompt'];
const DEFAULT_FIELDS = [...TEXTS, ...NUMBERS];

function Defaults({ settings, models, onSaved }) {
  const [form, setForm] = useState(() => Object.fromEntries(DEFAULT_FIELDS.map((k) => [k, settings[k] ?? ''])));
  const [error, setError] = useState(null);
  const [saved, setSaved] = useState(false);
  const set = (name) => (value) => { setSaved(false); setForm((f) => ({ ...f, [name]: value })); };
  const save = async (e) => {
    e.preventDefault();
    setError(null);
    // an emptied field goes back to the server's default (null)
    const patch = Object.fromEntries(DEFAULT_FIELDS.map((k) => [k, form[k] === '' ? null : form[k]]));
    try {
      onSaved(await api('/v1/me/settings', { method: 'PATCH', json: patch }));
      setSaved(true);
    } catch (err) {
      setError(err);
    }
  };
  const choice = (list) => [{ value: '', label: 'Server default' }, ...list];
  return (
    <form class="panel" onSubmit={save} aria-labelledby="defaults-title">
      <h2 id="defaults-title">Generation defaults</h2>
      <p class="hint">Used for the fields a job leaves out (the Generate page and API clients alike).</p>
      <div class="row">
        <Select label="Default model" name="model" value={form.model} onInput={set('model')} error={error}
          options={choice(models.map((m) => ({ value: m.name, label: m.title || m.name })))} />
        <Select label="Default sampler" name="sampler" value={form.sampler} onInput={set('sampler')} error={error}
          options={choice(SAMPLERS)} />
        <Select label="Default scheduler" name="scheduler" value={form.scheduler} onInput={set('scheduler')}
          error={error} options={choice(SCHEDULERS)} />
      </div>
      <div class="row">
        <Field label="Default steps" name="steps" type="number" min="1" value={form.steps} onInput={set('steps')}
          error={error} />
        <Field label="Default CFG scale" name="cfg_scale" type="number" min="0" max="30" step="0.5"
          value={form.cfg_scale} onInput={set('cfg_scale')} error={error} />
        <Field label="Default width" name="width" type="number" step="8" value={form.width} onInput={set('width')}
          error={error} />
        <Field label="Default height" name="height" type="number" step="8" value={form.height}
          onInput={set('height')} error={error} />
        <Field label="Clip skip" name="clip_skip" type="number" min="1" max="12" value={form.clip_skip}
          onInput={set('clip_skip')} error={error} />
      </div>
      <TextArea label="Default negative prompt" name="negative_prompt" value={form.negative_prompt}
        onInput={set('negative_prompt')} error={error} rows={2} />
      <FormError error={error} claimed={DEFAULT_FIELDS} />
      <button type="submit">Save defaults</button>
      {saved && <span class="saved" role="status"> Saved.</span>}
    </form>
  );
}

function Styles({ settings, onSaved }) {
  const styles = settings.styles || [];
  const blank = { name: '', prompt: '', negative_prompt: '' };
  const [form, setForm] = useState(blank);
  const [error, setError] = useState(null);
  const set = (name) => (value) => setForm((f) => ({ ...f, [name]: value }));
  const store = async (next) => {
    setError(null);
    try {
      onSaved(await api('/v1/me/settings', { method: 'PATCH', json: { styles: next } }));
      return true;
    } catch (err) {
      setError(err);
      return false;
    }
  };
  const add = async (e) => {
    e.preventDefault();
    // a style of the same name is replaced
    const next = [...styles.filter((s) => s.name !== form.name.trim()), { ...form, name: form.name.trim() }];
    if (await store(next)) setForm(blank);
  };
  return (
    <section class="panel" aria-labelledby="styles-title">
      <h2 id="styles-title">Saved styles</h2>
      {styles.length === 0 && <p class="empty">No styles yet.</p>}
      <ul class="plain">
        {styles.map((s) => (
          <li key={s.name} data-testid="style">
            <strong>{s.name}</strong> <span class="hint">{s.prompt}{s.negative_prompt && ` — not: ${s.negative_prompt}`}</span>
            <button type="button" class="link" onClick={() => setForm({ ...blank, ...s })}>Edit</button>
            <button type="button" class="link danger" aria-label={`Delete style ${s.name}`}
              onClick={() => store(styles.filter((x) => x.name !== s.name))}>Delete</button>
          </li>
        ))}
      </ul>
      <form onSubmit={add} aria-label="Add a style">
        <div class="row">
          <Field label="Style name" name="styles" value={form.name} onInput={set('name')} error={error} required />
          <Field label="Style prompt" name="prompt" value={form.prompt} onInput={set('prompt')}
            hint="{prompt} marks where the job's prompt goes" />
          <Field label="Style negative prompt" name="negative_prompt_style" value={form.negative_prompt}
            onInput={set('negative_prompt')} />
        </div>
        <FormError error={error} claimed={['styles']} />
        <button type="submit">Save style</button>
      </form>
    </section>
  );
}

function Keys() {
  const [keys, setKeys] = useState(null);
  const [name, setName] = useState('');
  const [expires, setExpires] = useState('');
  const [fresh, setFresh] = useState(null); // the key just made, with its secret: shown this once
  const [copied, setCopied] = useState(false);
  const [error, setError] = useState(null);
  useEffect(() => { api('/v1/me/keys').then(setKeys, setError); }, []);

  const create = async (e) => {
    e.preventDefault();
    setError(null);
    try {
      const json = { name: name.trim() || 'default' };
      if (expires) json.expires_at = new Date(`${expires}T23:59:59`).toISOString();
      const key = await api('/v1/me/keys', { method: 'POST', json });
      setFresh(key);
      setCopied(false);
      setKeys((list) => [...(list || []), { ...key, secret: null }]);
      setName('');
      setExpires('');
    } catch (err) {
      setError(err);
    }
  };
  const revoke = async (key) => {
    if (!window.confirm(`Revoke the key ${key.name} (${key.prefix}…)? Clients using it stop working.`)) return;
    try {
      const done = await api(`/v1/me/keys/${encodeURIComponent(key.id)}`, { method: 'DELETE' });
      setKeys((list) => list.map((k) => (k.id === key.id ? done : k)));
    } catch (err) {
      setError(err);
    }
  };
  const copy = async () => {
    await navigator.clipboard.writeText(fresh.secret);
    setCopied(true);
  };
  return (
    <section class="panel" aria-labelledby="keys-title">
      <h2 id="keys-title">API keys</h2>
      {fresh && (
        <div class="secret" role="status" data-testid="new-key">
          <p>Your new key <strong>{fresh.name}</strong>. Copy it now: it is not shown again.</p>
          <code data-testid="key-secret">{fresh.secret}</code>{' '}
          <button type="button" onClick={copy}>{copied ? 'Copied' : 'Copy'}</button>{' '}
          <button type="button" class="ghost" onClick={() => setFresh(null)}>Done</button>
        </div>
      )}
      <table class="list" aria-label="Your API keys">
        <thead><tr><th>Name</th><th>Prefix</th><th>Created</th><th>Expires</th><th>State</th><th /></tr></thead>
        <tbody>
          {(keys || []).map((k) => (
            <tr key={k.id} data-testid="key-row">
              <td>{k.name}</td><td><code>{k.prefix}…</code></td>
              <td>{new Date(k.created_at).toLocaleString()}</td>
              <td>{k.expires_at ? new Date(k.expires_at).toLocaleDateString() : 'never'}</td>
              <td>{k.revoked_at ? 'revoked' : 'active'}</td>
              <td>{!k.revoked_at && <button type="button" class="link danger" onClick={() => revoke(k)}
                aria-label={`Revoke key ${k.name}`}>Revoke</button>}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <form class="row" onSubmit={create} aria-label="Create an API key">
        <Field label="Key name" name="name" value={name} onInput={setName} error={error} />
        <Field label="Expires on" name="expires_at" type="date" value={expires} onInput={setExpires} error={error}
          hint="empty: never" />
        <button type="submit">Create key</button>
      </form>
      <FormError error={error} claimed={['name', 'expires_at']} />
    </section>
  );
}

function Password() {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [error, setError] = useState(null);
  const [done, setDone] = useState(false);
  const change = async (e) => {
    e.preventDefault();
    setError(null);
    setDone(false);
    try {
      await api('/v1/me/password', { method: 'PUT', json: { current_password: current, new_password: next } });
      setCurrent('');
      setNext('');
      setDone(true);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form class="panel" onSubmit={change} aria-labelledby="password-title">
      <h2 id="password-title">Password</h2>
      <div class="row">
        <Field label="Current password" name="current_password" type="password" value={current}
          onInput={setCurrent} error={error} autocomplete="current-password" required />
        <Field label="New password" name="new_password" type="password" value={next} onInput={setNext}
          error={error} autocomplete="new-password" required />
      </div>
      <FormError error={error} claimed={['current_password', 'new_password']} />
      <button type="submit">Change password</button>
      {done && <span class="saved" role="status"> Changed. Your other sessions have ended.</span>}
    </form>
  );
}

export function SettingsPage() {
  const [settings, setSettings] = useState(null);
  const [models, setModels] = useState([]);
  const [error, setError] = useState(null);
  useEffect(() => {
    api('/v1/me/settings').then(setSettings, setError);
    api('/v1/models?kind=checkpoint').then((list) => setModels(list.items), () => setModels([]));
  }, []);
  return (
    <div class="settings stack">
      <FormError error={error} />
      {settings && <Defaults settings={settings} models={models} onSaved={setSettings} />}
      {settings && <Styles settings={settings} onSaved={setSettings} />}
      <Keys />
      <Password />
    </div>
  );
}
