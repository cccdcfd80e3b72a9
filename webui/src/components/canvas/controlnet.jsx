// ControlNet units (up to 4, as the API takes): each a control image uploaded or drawn as a scribble (or, on
// img2img, the init image), a preprocessor from GET /controlnet/module_list and a model from
// GET /v1/models?kind=controlnet, weight and guidance range; "Preview map" runs the preprocessor through
// POST /controlnet/detect and shows the detected map; each unit's advanced settings (mask, pixel perfect, control
// and resize modes, preprocessor resolution and thresholds) are controlnet-advanced.jsx. `onUnits(units)` gets the
// /v1/jobs `controlnets` list.
import { useEffect, useState } from 'preact/hooks';
import { api, dataUrlOf } from '../../api.js';
import { Field, Select } from '../form.jsx';
import { ADVANCED, UnitAdvanced, advancedRequest, thresholdsOf } from './controlnet-advanced.jsx';
import { PaintCanvas, composed, painted } from './paint.jsx';

const MAX_UNITS = 4;
let nextKey = 1;
const blank = () => ({ key: nextKey++, model: '', module: 'none', source: 'upload', image: null, weight: 1,
  guidance_start: 0, guidance_end: 1, map: null, detecting: false, detectError: null, ...ADVANCED });

/** A unit as the API takes it (proto/schemas/v1/jobs.json ControlNetRequest); `detail`: its preprocessor's. */
function requestOf(unit, tab, detail) {
  const body = { model: unit.model, module: unit.module, weight: unit.weight, guidance_start: unit.guidance_start,
    guidance_end: unit.guidance_end, ...advancedRequest(unit, detail) };
  if (unit.source !== 'init' || tab !== 'img2img') body.image = unit.image;
  return body;
}

/** `restore`: units to start from (restore.js `controlnetsOf`, History's "send to"). */
export function ControlNetUnits({ tab, initImage, width, height, error, onUnits, restore = null }) {
  const [units, setUnits] = useState([]);
  const [models, setModels] = useState([]);
  const [modules, setModules] = useState(['none']);
  const [details, setDetails] = useState({}); // each preprocessor's sliders (resolution, thresholds)
  const [loadError, setLoadError] = useState(null);

  useEffect(() => {
    api('/v1/models?kind=controlnet').then((list) => setModels(list.items), setLoadError);
    api('/controlnet/module_list').then((list) => {
      setModules(list.module_list);
      setDetails(list.module_detail || {});
    }, setLoadError);
  }, []);
  useEffect(() => {
    if (restore) setUnits(restore.slice(0, MAX_UNITS).map((unit) => ({ ...blank(), ...unit })));
  }, [restore]);
  useEffect(() => {
    onUnits(units.map((unit) => requestOf(unit, tab, details[unit.module])));
  }, [units, tab, details]);

  const update = (key, changes) => setUnits((list) => list.map((u) => (u.key === key ? { ...u, ...changes } : u)));
  const add = () => setUnits((list) => [...list, blank()]);
  const remove = (key) => setUnits((list) => list.filter((u) => u.key !== key));

  return (
    <fieldset class="controlnet">
      <legend>ControlNet</legend>
      {loadError && <p class="form-error" role="alert">{loadError.message}</p>}
      {units.map((unit, i) => (
        <Unit key={unit.key} unit={unit} index={i} tab={tab} initImage={initImage} width={width} height={height}
          error={error} models={models} modules={modules} details={details}
          update={(changes) => update(unit.key, changes)}
          remove={() => remove(unit.key)} />
      ))}
      {units.length < MAX_UNITS && (
        <button type="button" class="ghost" onClick={add}>Add ControlNet unit</button>
      )}
    </fieldset>
  );
}

function Unit({ unit, index, tab, initImage, width, height, error, models, modules, details, update, remove }) {
  const name = (field) => `controlnets.${index}.${field}`;
  const sources = [{ value: 'upload', label: 'Upload an image' }, { value: 'scribble', label: 'Draw a scribble' }];
  if (tab === 'img2img') sources.push({ value: 'init', label: 'The init image' });
  const source = sources.some((s) => s.value === unit.source) ? unit.source : 'upload';

  const pick = async (e) => {
    const file = e.currentTarget.files[0];
    update({ image: file ? await dataUrlOf(file) : null, map: null });
  };
  const onScribble = async (layer) => update({ image: painted(layer) ? await composed(layer, { fill: '#ffffff' })
    : null, map: null });
  const chooseSource = (value) => {
    // a black-on-white scribble reaches a scribble model as white-on-black through the invert preprocessor (one
    // the API always has, listed or not yet)
    const changes = { source: value, image: null, map: null };
    if (value === 'scribble' && unit.module === 'none') {
      changes.module = 'invert';
      Object.assign(changes, thresholdsOf(details.invert));
    }
    update(changes);
  };
  const preview = async () => {
    update({ detecting: true, detectError: null });
    try {
      // the map as the job will make it: the unit's resolution and thresholds (its mask only limits its effect)
      const sent = advancedRequest(unit, details[unit.module]);
      const json = { controlnet_module: unit.module, controlnet_input_images: [unit.image] };
      if (sent.processor_res) json.controlnet_processor_res = sent.processor_res;
      if (sent.threshold_a != null) json.controlnet_threshold_a = sent.threshold_a;
      if (sent.threshold_b != null) json.controlnet_threshold_b = sent.threshold_b;
      const answer = await api('/controlnet/detect', { method: 'POST', json });
      update({ map: `data:image/png;base64,${answer.images[0]}`, detecting: false });
    } catch (err) {
      update({ detectError: err, detecting: false });
    }
  };
  const imageError = error && error.field && error.field.startsWith(name('image')) ? error.message : null;

  return (
    <div class="cn-unit" data-testid="controlnet-unit">
      <div class="row">
        <Select label={`Unit ${index + 1} control image`} name={name('source')} value={source}
          onInput={chooseSource} options={sources} />
        <button type="button" class="ghost" onClick={remove}>{`Remove unit ${index + 1}`}</button>
      </div>
      {source === 'upload' && (
        <div class="field">
          <label for={`cn-file-${index}`}>{`Unit ${index + 1} image file`}</label>
          <input id={`cn-file-${index}`} type="file" accept="image/png,image/jpeg,image/webp" onChange={pick} />
          {unit.image && <img class="thumb" src={unit.image} alt={`Unit ${index + 1} control image`} />}
        </div>
      )}
      {source === 'scribble' && (
        <PaintCanvas kind="Scribble" width={width || 512} height={height || 512} fill="#ffffff" pen="#000000"
          onStroke={onScribble} testId="scribble-canvas" />
      )}
      {imageError && <small class="error" role="alert">{imageError}</small>}
      <div class="row">
        <Select label={`Unit ${index + 1} preprocessor`} name={name('module')} value={unit.module}
          onInput={(module) => update({ module, map: null, ...thresholdsOf(details[module]) })} error={error}
          options={modules.includes(unit.module) ? modules : [unit.module, ...modules]} />
        <Select label={`Unit ${index + 1} model`} name={name('model')} value={unit.model}
          onInput={(model) => update({ model })} error={error}
          options={[{ value: '', label: models.length ? 'Choose a model' : 'No ControlNet models' },
            ...models.map((m) => ({ value: m.name, label: m.title || m.name }))]} />
      </div>
      <div class="row">
        <Field label={`Unit ${index + 1} weight`} name={name('weight')} type="number" min="0" max="2" step="0.05"
          value={unit.weight} onInput={(weight) => update({ weight })} error={error} />
        <Field label={`Unit ${index + 1} guidance start`} name={name('guidance_start')} type="number" min="0" max="1"
          step="0.05" value={unit.guidance_start} onInput={(v) => update({ guidance_start: v })} error={error} />
        <Field label={`Unit ${index + 1} guidance end`} name={name('guidance_end')} type="number" min="0" max="1"
          step="0.05" value={unit.guidance_end} onInput={(v) => update({ guidance_end: v })} error={error} />
      </div>
      <UnitAdvanced unit={unit} index={index} name={name} detail={details[unit.module]} error={error}
        background={source === 'init' ? initImage : unit.image} width={width} height={height} update={update} />
      {source !== 'init' && (
        <div class="row">
          <button type="button" class="ghost" disabled={!unit.image || unit.detecting} onClick={preview}>
            {unit.detecting ? 'Detecting…' : `Preview unit ${index + 1} map`}
          </button>
          {unit.map && <img class="cn-map" src={unit.map} alt={`Unit ${index + 1} detected map`}
            data-testid="controlnet-map" />}
          {unit.detectError && <small class="error" role="alert">{unit.detectError.message}</small>}
        </div>
      )}
    </div>
  );
}
