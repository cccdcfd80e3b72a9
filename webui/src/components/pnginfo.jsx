// PNG info: a PNG dropped (or chosen) here is read by POST /sdapi/v1/png-info (the API parses its infotext); its
// parameters are shown field by field and sent to txt2img or img2img (the image as init image) through handoff.js.
import { useEffect, useState } from 'preact/hooks';
import { api, dataUrlOf } from '../api.js';
import { handOver } from '../handoff.js';
import { FormError } from './form.jsx';

/** Generate's fields from png-info's `parameters` (the web UI's names); `checkpoints` map its Model to a name. */
export function fieldsOf(parameters, checkpoints) {
  const p = parameters;
  const out = { from: 'params' };
  const put = (name, value) => { if (value != null && value !== '') out[name] = String(value); };
  put('prompt', p.Prompt);
  put('negative_prompt', p['Negative prompt']);
  put('steps', p.Steps);
  put('sampler', p.Sampler);
  put('scheduler', p['Schedule type'] ? p['Schedule type'].toLowerCase() : null);
  put('cfg_scale', p['CFG scale']);
  put('seed', p.Seed);
  put('width', p['Size-1']);
  put('height', p['Size-2']);
  put('denoising_strength', p['Denoising strength']);
  const model = p.Model && checkpoints.find((m) => [m.name, m.title, m.hash].includes(p.Model)
    || (p['Model hash'] && m.hash && m.hash.startsWith(p['Model hash'])));
  if (model) out.model = model.name;
  return out;
}

export function PngInfo() {
  const [image, setImage] = useState(null); // a data: URL
  const [info, setInfo] = useState(null);
  const [checkpoints, setCheckpoints] = useState([]);
  const [over, setOver] = useState(false);
  const [error, setError] = useState(null);
  useEffect(() => {
    api('/v1/models?kind=checkpoint').then((list) => setCheckpoints(list.items), setError);
  }, []);

  const read = async (file) => {
    if (!file) return;
    setError(null);
    setInfo(null);
    try {
      const url = await dataUrlOf(file);
      setImage(url);
      setInfo(await api('/sdapi/v1/png-info', { method: 'POST', json: { image: url } }));
    } catch (err) {
      setError(err);
    }
  };
  const drop = (e) => {
    e.preventDefault();
    setOver(false);
    read(e.dataTransfer.files[0]);
  };
  const params = info ? info.parameters : {};
  const send = (tab) => handOver('generate', { ...fieldsOf(params, checkpoints), tab },
    tab === 'img2img' ? image : null);
  return (
    <section class="panel pnginfo" aria-label="PNG info">
      <h2>PNG info</h2>
      <div class={`dropzone${over ? ' over' : ''}`} data-testid="png-drop"
        onDragOver={(e) => { e.preventDefault(); setOver(true); }} onDragLeave={() => setOver(false)} onDrop={drop}>
        <p>Drop a PNG here, or</p>
        <label for="png-file">Choose a PNG</label>
        <input id="png-file" type="file" accept="image/png" onChange={(e) => read(e.currentTarget.files[0])} />
      </div>
      <FormError error={error} />
      {image && <img class="thumb" src={image} alt="The PNG read" />}
      {info && !info.info && <p class="empty" data-testid="png-none">This PNG carries no generation parameters.</p>}
      {info && info.info && (
        <>
          <dl class="params" data-testid="png-params">
            {Object.entries(params).map(([k, v]) => (
              <div key={k} class="param"><dt>{k}</dt><dd data-param={k}>{String(v)}</dd></div>
            ))}
          </dl>
          <pre class="infotext" data-testid="png-infotext">{info.info}</pre>
          <div class="row">
            <button type="button" onClick={() => send('txt2img')}>Send to txt2img</button>
            <button type="button" onClick={() => send('img2img')}>Send to img2img</button>
          </div>
        </>
      )}
    </section>
  );
}
