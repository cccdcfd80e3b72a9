// A ControlNet unit's advanced settings (proto/schemas/v1/jobs.json ControlNetRequest): a mask for the unit, painted
// over its control image or uploaded; pixel perfect; control mode; resize mode; the preprocessor's resolution and
// its thresholds, named and bounded by GET /controlnet/module_list's `module_detail` sliders (only preprocessors that
// take thresholds show them, and only those reach the request).
import { dataUrlOf } from '../../api.js';
import { Checkbox, Field, Select } from '../form.jsx';
import { PaintCanvas, composed, painted } from './paint.jsx';

const CONTROL_MODES = [{ value: 'balanced', label: 'Balanced' },
  { value: 'prompt', label: 'My prompt is more important' },
  { value: 'controlnet', label: 'ControlNet is more important' }];
const RESIZE_MODES = [{ value: 'just_resize', label: 'Just resize' },
  { value: 'crop_and_resize', label: 'Crop and resize' }, { value: 'resize_and_fill', label: 'Resize and fill' }];
const MASK_SOURCES = [{ value: 'none', label: 'No mask' }, { value: 'paint', label: 'Paint a mask' },
  { value: 'upload', label: 'Upload a mask' }];
const THRESHOLDS = ['threshold_a', 'threshold_b'];

/** A new unit's advanced settings (the API's defaults; '' leaves a number to the preprocessor). */
export const ADVANCED = { maskSource: 'none', mask: null, pixel_perfect: false, control_mode: 'balanced',
  resize_mode: 'crop_and_resize', processor_res: '', threshold_a: '', threshold_b: '' };

/** The slider `key` (threshold_a, threshold_b) of a preprocessor's `detail`, or null when it takes none. */
function sliderOf(detail, key) {
  return (detail && detail.sliders && detail.sliders.find((s) => s.id === key)) || null;
}

/** The thresholds a unit starts with on preprocessor `detail`: its sliders' defaults. */
export function thresholdsOf(detail) {
  const out = {};
  for (const key of THRESHOLDS) out[key] = sliderOf(detail, key) ? sliderOf(detail, key).value : '';
  return out;
}

/** The request fields these settings add to a unit: only what the API takes for its preprocessor. */
export function advancedRequest(unit, detail) {
  const body = { pixel_perfect: unit.pixel_perfect, control_mode: unit.control_mode, resize_mode: unit.resize_mode };
  if (unit.maskSource !== 'none' && unit.mask) body.mask = unit.mask;
  if (!unit.pixel_perfect && unit.processor_res !== '') body.processor_res = unit.processor_res;
  for (const key of THRESHOLDS) if (sliderOf(detail, key) && unit[key] !== '') body[key] = unit[key];
  return body;
}

/** `background`: the unit's control image (a data URL) to paint the mask over, else a blank `width` x `height`. */
export function UnitAdvanced({ unit, index, name, detail, background, width, height, error, update }) {
  const n = index + 1;
  const onMask = async (layer) => update({ mask: painted(layer)
    ? await composed(layer, { fill: '#000000', ink: '#ffffff' }) : null });
  const pickMask = async (e) => {
    const file = e.currentTarget.files[0];
    update({ mask: file ? await dataUrlOf(file) : null });
  };
  return (
    <details class="cn-advanced">
      <summary>{`Unit ${n} advanced`}</summary>
      <div class="row">
        <Checkbox label={`Unit ${n} pixel perfect`} name={name('pixel_perfect')} checked={unit.pixel_perfect}
          onInput={(v) => update({ pixel_perfect: v })} />
        <Select label={`Unit ${n} control mode`} name={name('control_mode')} value={unit.control_mode}
          onInput={(v) => update({ control_mode: v })} options={CONTROL_MODES} error={error} />
        <Select label={`Unit ${n} resize mode`} name={name('resize_mode')} value={unit.resize_mode}
          onInput={(v) => update({ resize_mode: v })} options={RESIZE_MODES} error={error} />
      </div>
      <div class="row">
        <Field label={`Unit ${n} processor resolution`} name={name('processor_res')} type="number" min="64"
          max="2048" step="8" value={unit.processor_res} onInput={(v) => update({ processor_res: v })}
          error={error} disabled={unit.pixel_perfect}
          hint={unit.pixel_perfect ? 'pixel perfect: from the image sizes' : 'empty: the preprocessor\'s own'} />
        {THRESHOLDS.map((key) => {
          const slider = sliderOf(detail, key);
          return slider && (
            <Field key={key} label={`Unit ${n} ${slider.name.toLowerCase()}`} name={name(key)} type="number"
              min={slider.min} max={slider.max} step={slider.step || 1} value={unit[key]}
              onInput={(v) => update({ [key]: v })} error={error} hint={`${slider.min}–${slider.max}`} />
          );
        })}
      </div>
      <Select label={`Unit ${n} mask`} name={name('mask_source')} value={unit.maskSource}
        onInput={(v) => update({ maskSource: v, mask: null })} options={MASK_SOURCES} />
      {unit.maskSource === 'paint' && (
        <PaintCanvas kind={`Unit ${n} mask`} background={background} width={width || 512} height={height || 512}
          fill="#000000" pen="#ff2d6f" onStroke={onMask} testId="controlnet-mask-canvas" overlay />
      )}
      {unit.maskSource === 'upload' && (
        <div class="field">
          <label for={`cn-mask-${index}`}>{`Unit ${n} mask file`}</label>
          <input id={`cn-mask-${index}`} type="file" accept="image/png,image/jpeg,image/webp" onChange={pickMask} />
          {unit.mask && <img class="thumb" src={unit.mask} alt={`Unit ${n} mask`} />}
        </div>
      )}
      {unit.maskSource !== 'none' && (
        <p class="hint">White (painted) is where the unit controls the image; black is left to the prompt.</p>
      )}
      {fieldErrorText(error, name('mask'))}
    </details>
  );
}

function fieldErrorText(error, field) {
  return error && error.field && error.field.startsWith(field)
    ? <small class="error" role="alert">{error.message}</small> : null;
}
