// Models: what the caller may use (GET /v1/models: built-ins, their own, their tenant's public ones, those shared
// with a role of theirs), searchable; import from Hugging Face, a URL, S3 or an uploaded file (with its progress);
// share their own with roles or the tenant; delete their own.
import { Fragment } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, uploadFile } from '../api.js';
import { Field, FormError, Select } from '../components/form.jsx';
import { listOf, sizeOf } from '../components/quotas.jsx';
import { UploadProgress } from '../components/upload-progress.jsx';
import { allows } from '../permissions.js';

export const KINDS = ['checkpoint', 'lora', 'vae', 'embedding', 'controlnet', 'upscaler', 'annotator', 'hypernetwork',
  'interrogator', 'face_restorer', 'face_detector'];
export const BASES = ['sd15', 'sd21', 'sdxl', 'tiny'];
const SOURCES = [
  { value: 'hf', label: 'Hugging Face' }, { value: 'http', label: 'URL' }, { value: 's3', label: 'S3' },
  { value: 'upload', label: 'File upload' },
];
const URI_LABEL = { hf: 'Repository (owner/name)', http: 'URL (https://…)', s3: 'S3 URI (s3://bucket/key)' };
const POLL_MS = 2000;

function matches(model, text) {
  const t = text.toLowerCase();
  return !t || [model.name, model.title, model.kind, model.base].some((v) => v && v.toLowerCase().includes(t));
}

function ImportForm({ onImported }) {
  const empty = { name: '', kind: 'checkpoint', base: 'sd15', type: 'hf', uri: '', subfolder: '', revision: '' };
  const [form, setForm] = useState(empty);
  const [file, setFile] = useState(null);
  const [sent, setSent] = useState(null); // {done, total} while and after a file goes up
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const set = (name) => (value) => setForm((f) => ({ ...f, [name]: value }));

  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const source = { type: form.type, uri: form.uri.trim() };
      if (form.type === 'upload') {
        if (!file) throw Object.assign(new Error('choose a file to upload'), { field: 'file' });
        const upload = await api('/v1/models/uploads', { method: 'POST' });
        setSent({ done: 0, total: file.size });
        await uploadFile(upload, file, (done, total) => setSent({ done, total }));
        source.uri = upload.upload_id;
      } else {
        if (form.subfolder) source.subfolder = form.subfolder;
        if (form.revision) source.revision = form.revision;
      }
      const model = await api('/v1/models', { method: 'POST', json: {
        name: form.name.trim() || (file ? file.name.replace(/\.[^.]*$/, '') : ''), kind: form.kind, base: form.base,
        source } });
      onImported(model);
      setForm((f) => ({ ...empty, type: f.type }));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="panel" onSubmit={submit} aria-label="Import a model">
      <h2>Import a model</h2>
      <div class="row">
        <Select label="Source" name="source.type" value={form.type} onInput={set('type')} options={SOURCES}
          error={error} />
        <Field label="Name" name="name" value={form.name} onInput={set('name')} error={error}
          placeholder={form.type === 'upload' ? 'the file name' : ''} />
        <Select label="Kind" name="kind" value={form.kind} onInput={set('kind')} options={KINDS} error={error} />
        <Select label="Base" name="base" value={form.base} onInput={set('base')} options={BASES} error={error} />
      </div>
      {form.type === 'upload' ? (
        <div class={`field${error && error.field === 'file' ? ' invalid' : ''}`}>
          <label for="model-file">File</label>
          <input id="model-file" type="file" accept=".safetensors,.ckpt,.pt,.pth,.bin"
            onChange={(e) => { setFile(e.currentTarget.files[0] || null); setSent(null); }} />
          {error && error.field === 'file' && <small class="error" role="alert">{error.message}</small>}
        </div>
      ) : (
        <div class="row">
          <Field label={URI_LABEL[form.type]} name="source.uri" value={form.uri} onInput={set('uri')} error={error}
            required />
          {form.type === 'hf' && (
            <>
              <Field label="Subfolder" name="source.subfolder" value={form.subfolder} onInput={set('subfolder')}
                error={error} />
              <Field label="Revision" name="source.revision" value={form.revision} onInput={set('revision')}
                error={error} />
            </>
          )}
        </div>
      )}
      <UploadProgress sent={sent} id="upload-bar" testid="upload" />
      <FormError error={error} claimed={['name', 'kind', 'base', 'source', 'file']} />
      <button type="submit" disabled={busy}>{busy ? 'Importing…' : 'Import'}</button>
    </form>
  );
}

// `owner`: whose the model is, as the private choice names them (an admin shares others' models); `tenant`: the
// model's tenant when it is not the caller's (the platform admin's), whose roles it may be shared with
export function ShareForm({ model, user, onSaved, onClose, owner = null, tenant = null }) {
  const [visibility, setVisibility] = useState(model.visibility || 'private');
  const [roles, setRoles] = useState((model.shared_roles || []).join(', '));
  const [choices, setChoices] = useState(tenant ? [] : user.roles || []);
  const [error, setError] = useState(null);
  const scope = tenant ? `?tenant=${encodeURIComponent(tenant)}` : '';
  useEffect(() => {
    if (tenant) api(`/v1/roles${scope}`).then((list) => setChoices(list.map((r) => r.name)), () => setChoices([]));
  }, [tenant]);
  const save = async (e) => {
    e.preventDefault();
    setError(null);
    try {
      onSaved(await api(`/v1/models/${encodeURIComponent(model.id)}${scope}`, { method: 'PATCH',
        json: { visibility, shared_roles: visibility === 'roles' ? listOf(roles) : [] } }));
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form class="share row" onSubmit={save} aria-label={`Share ${model.name}`}>
      <Select label="Visible to" name="visibility" value={visibility} onInput={setVisibility} error={error}
        options={[{ value: 'private', label: owner ? `Only ${owner}` : 'Only me' }, { value: 'roles', label: 'Roles' },
          { value: 'public', label: tenant ? `Everyone in tenant ${tenant}` : 'Everyone in my tenant' }]} />
      {visibility === 'roles' && (
        <Field label="Roles (comma-separated)" name="shared_roles" value={roles} onInput={setRoles} error={error}
          list="my-roles" />
      )}
      <datalist id="my-roles">{choices.map((r) => <option key={r} value={r} />)}</datalist>
      <button type="submit">Save</button>
      <button type="button" class="ghost" onClick={onClose}>Cancel</button>
      <FormError error={error} claimed={['visibility', 'shared_roles']} />
    </form>
  );
}

export function ModelsPage({ user }) {
  const [models, setModels] = useState(null);
  const [kind, setKind] = useState('');
  const [text, setText] = useState('');
  const [sharing, setSharing] = useState(null);
  const [error, setError] = useState(null);
  const [tick, setTick] = useState(0);
  const mayWrite = allows(user.permissions || [], 'models:write');

  useEffect(() => {
    api(`/v1/models${kind ? `?kind=${encodeURIComponent(kind)}` : ''}`).then((list) => setModels(list.items),
      setError);
  }, [kind, tick]);
  // imports still running: look again for their progress
  const importing = models && models.some((m) => m.status === 'importing');
  useEffect(() => {
    if (!importing) return undefined;
    const timer = setTimeout(() => setTick((t) => t + 1), POLL_MS);
    return () => clearTimeout(timer);
  }, [models]);

  const replace = (model) => setModels((list) => list.map((m) => (m.id === model.id ? model : m)));
  const remove = async (model) => {
    if (!window.confirm(`Delete the model ${model.name} and its files?`)) return;
    try {
      await api(`/v1/models/${encodeURIComponent(model.id)}`, { method: 'DELETE' });
      setModels((list) => list.filter((m) => m.id !== model.id));
    } catch (err) {
      setError(err);
    }
  };
  const shown = (models || []).filter((m) => matches(m, text));
  return (
    <div class="models">
      {mayWrite && <ImportForm onImported={(model) => { setModels((list) => [model, ...(list || [])]); }} />}
      <form class="row search" role="search" onSubmit={(e) => e.preventDefault()}>
        <Field label="Search models" name="q" type="search" value={text} onInput={setText} />
        <Select label="Kind" name="kind_filter" value={kind} onInput={setKind}
          options={[{ value: '', label: 'Any' }, ...KINDS]} />
      </form>
      <FormError error={error} />
      {models && shown.length === 0 && <p class="empty">No model matches.</p>}
      <table class="list" aria-label="Models">
        <thead>
          <tr><th>Name</th><th>Kind</th><th>Base</th><th>Size</th><th>Visibility</th><th>Status</th><th /></tr>
        </thead>
        <tbody>
          {shown.map((m) => {
            const own = m.owner_id === user.user_id;
            return (
              <Fragment key={m.id}>
                <tr data-testid="model-row">
                  <td><span class="name">{m.title || m.name}</span>{m.title && m.title !== m.name
                    && <small class="hint"> {m.name}</small>}</td>
                  <td>{m.kind}</td>
                  <td>{m.base}</td>
                  <td>{sizeOf(m.size)}</td>
                  <td>{m.owner_id ? m.visibility : 'built in'}
                    {m.visibility === 'roles' && ` (${(m.shared_roles || []).join(', ')})`}</td>
                  <td data-testid="model-status">
                    {m.status === 'importing' && m.bytes_total
                      ? <progress max={m.bytes_total} value={m.bytes_done || 0} aria-label={`Importing ${m.name}`} />
                      : m.status}
                    {m.error && <small class="error"> {m.error.message}</small>}
                  </td>
                  <td class="actions">
                    {own && mayWrite && <button type="button" class="link" onClick={() => setSharing(m.id)}>Share</button>}
                    {own && mayWrite && <button type="button" class="link danger" onClick={() => remove(m)}
                      aria-label={`Delete ${m.name}`}>Delete</button>}
                  </td>
                </tr>
                {sharing === m.id && (
                  <tr><td colSpan={7}>
                    <ShareForm model={m} user={user} onClose={() => setSharing(null)}
                      onSaved={(model) => { replace(model); setSharing(null); }} />
                  </td></tr>
                )}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
