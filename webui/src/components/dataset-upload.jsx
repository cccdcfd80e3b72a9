// A dataset upload (POST /v1/datasets, multipart): a zip of images (captions in <image>.txt beside each) or images
// chosen one by one, each with a caption typed beside its name (the `captions` parts, in the images' order), sent
// with its progress bar; the registry checks every image and refuses the upload whole, naming the part (`archive`,
// `images.<n>`, `captions`).
import { useState } from 'preact/hooks';
import { postForm } from '../api.js';
import { Field, FormError } from './form.jsx';
import { UploadProgress } from './upload-progress.jsx';

const isZip = (file) => /\.zip$/i.test(file.name) || file.type === 'application/zip';

export function DatasetUpload({ onUploaded }) {
  const [name, setName] = useState('');
  const [files, setFiles] = useState([]);
  const [captions, setCaptions] = useState([]); // one per image chosen one by one
  const [sent, setSent] = useState(null); // {done, total} while and after the files go up
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e) => {
    e.preventDefault();
    setError(null);
    if (!files.length) {
      setError(Object.assign(new Error('choose a zip or some images'), { field: 'images' }));
      return;
    }
    const form = new FormData();
    form.append('name', name.trim() || files[0].name.replace(/\.[^.]*$/, ''));
    // the API pairs captions with the first images (the rest have none): captioned images go first
    const sentFiles = files.length === 1 && isZip(files[0]) ? files
      : [...files.keys()].sort((a, b) => !captions[a]?.trim() - !captions[b]?.trim()).map((i) => files[i]);
    if (sentFiles === files) form.append('archive', files[0]);
    else {
      sentFiles.forEach((f) => form.append('images', f));
      files.forEach((f, i) => captions[i]?.trim() && form.append('captions', captions[i].trim()));
    }
    const total = files.reduce((n, f) => n + f.size, 0);
    setBusy(true);
    setSent({ done: 0, total });
    try {
      const dataset = await postForm('/v1/datasets', form, (done, all) => setSent({ done, total: all }));
      setSent((s) => ({ done: s.total, total: s.total }));
      onUploaded(dataset);
      setName('');
      setCaptions(files.map(() => ''));
    } catch (err) {
      const part = err.field && /^images\.(\d+)/.exec(err.field); // named by its place in what was sent
      if (part && sentFiles[Number(part[1])]) err.message = `${sentFiles[Number(part[1])].name}: ${err.message}`;
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const fileError = error && error.field && /^(archive|images)/.test(error.field) ? error.message : null;
  return (
    <form class="panel" onSubmit={submit} aria-label="Upload a dataset">
      <h2>Upload a dataset</h2>
      <div class="row">
        <Field label="Dataset name" name="name" value={name} onInput={setName} error={error}
          placeholder="the file's name" />
        <div class={`field${fileError ? ' invalid' : ''}`}>
          <label for="dataset-files">Images or a zip</label>
          <input id="dataset-files" type="file" multiple accept=".zip,image/png,image/jpeg,image/webp"
            onChange={(e) => {
              const chosen = [...e.currentTarget.files];
              setFiles(chosen);
              setCaptions(chosen.map(() => ''));
              setSent(null);
            }} />
          {fileError ? <small class="error" role="alert">{fileError}</small>
            : <small class="hint">a zip may hold a caption in &lt;image name&gt;.txt beside each image</small>}
        </div>
      </div>
      {files.length > 0 && !(files.length === 1 && isZip(files[0])) && (
        <fieldset class="captions">
          <legend>Captions</legend>
          {files.map((f, i) => (
            <Field key={`${i}-${f.name}`} label={`Caption of ${f.name}`} name={`captions.${i}`}
              value={captions[i] || ''}
              onInput={(v) => setCaptions((list) => list.map((c, j) => (j === i ? v : c)))} error={error} />
          ))}
          <small class="hint">empty: the training's default caption</small>
        </fieldset>
      )}
      <UploadProgress sent={sent} id="dataset-bar" testid="dataset" />
      <FormError error={error} claimed={['name', 'archive', 'images']} />
      <button type="submit" disabled={busy}>{busy ? 'Uploading…' : 'Upload'}</button>
    </form>
  );
}
