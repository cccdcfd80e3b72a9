// The generate page's image tools: on img2img, inpaint (a mask painted by brush on the init image), sketch (drawn
// in colour, over the init image or on a blank canvas: the result is the init image) and outpaint (pixels added on
// each side); on both tabs, ControlNet units. `onFields(fields)` gets the /v1/jobs request fields they add
// (proto/schemas/v1/jobs.json JobRequest: mask, mask_blur, inpainting_fill, inpaint_full_res,
// inpaint_full_res_padding, inpainting_mask_invert, outpaint, init_images, controlnets).
import { useEffect, useState } from 'preact/hooks';
import { Checkbox, Field, Select } from '../form.jsx';
import { ControlNetUnits } from './controlnet.jsx';
import { PaintCanvas, composed, painted } from './paint.jsx';

const MODES = [{ value: 'image', label: 'Image as it is' }, { value: 'inpaint', label: 'Inpaint (paint a mask)' },
  { value: 'sketch', label: 'Sketch' }, { value: 'outpaint', label: 'Outpaint' }];
const FILLS = [{ value: 'fill', label: 'Fill' }, { value: 'original', label: 'Original' },
  { value: 'latent_noise', label: 'Latent noise' }, { value: 'latent_nothing', label: 'Latent nothing' }];
const INPAINT = { mask_blur: 4, inpainting_fill: 'original', inpaint_full_res: false, inpaint_full_res_padding: 32,
  inpainting_mask_invert: false };
const SIDES = ['left', 'right', 'top', 'bottom'];
/** The request fields these tools show errors for (the generate form's FormError leaves them to them). */
export const TOOL_FIELDS = ['mask', 'mask_blur', 'inpainting_fill', 'inpaint_full_res', 'inpaint_full_res_padding',
  'inpainting_mask_invert', 'outpaint', 'controlnets'];

/** `mode`: an edit mode to open in (History's "Send to inpaint": `#/generate?tab=img2img&...&mode=inpaint`). */
export function ImageTools({ tab, initImage, width, height, error, onFields, mode: asked = null }) {
  const [mode, setMode] = useState('image');
  const [mask, setMask] = useState(null);
  const [inpaint, setInpaint] = useState(INPAINT);
  const [sketch, setSketch] = useState(null);
  const [overImage, setOverImage] = useState(true);
  const [outpaint, setOutpaint] = useState({ left: 0, right: 0, top: 0, bottom: 0 });
  const [units, setUnits] = useState([]);
  const setIn = (name) => (value) => setInpaint((v) => ({ ...v, [name]: value }));
  const sketchBase = overImage && initImage ? initImage : null;

  useEffect(() => {
    if (MODES.some((m) => m.value === asked)) setMode(asked);
  }, [asked]);

  useEffect(() => {
    const fields = {};
    if (units.length) fields.controlnets = units;
    if (tab === 'img2img' && mode === 'inpaint' && initImage && mask) Object.assign(fields, { mask, ...inpaint });
    if (tab === 'img2img' && mode === 'sketch' && sketch) fields.init_images = [sketch];
    if (tab === 'img2img' && mode === 'outpaint' && initImage) {
      // no size: the API makes it the init image's plus the pixels added
      Object.assign(fields, { outpaint, width: null, height: null });
      Object.assign(fields, { mask_blur: inpaint.mask_blur, inpainting_fill: inpaint.inpainting_fill });
    }
    onFields(fields);
  }, [tab, mode, mask, inpaint, sketch, outpaint, units, initImage]);

  const onMask = async (layer) => setMask(painted(layer) ? await composed(layer, { fill: '#000000', ink: '#ffffff' })
    : null);
  const onSketch = async (layer) => setSketch(await composed(layer, { under: sketchBase, fill: '#ffffff' }));

  return (
    <div class="canvas-tools">
      {tab === 'img2img' && (
        <Select label="Edit mode" name="edit_mode" value={mode} onInput={setMode} options={MODES} />
      )}
      {tab === 'img2img' && mode === 'inpaint' && (
        <fieldset>
          <legend>Inpaint</legend>
          {!initImage ? <p class="hint">Choose an init image first, then paint the area to repaint.</p> : (
            <PaintCanvas kind="Mask" background={initImage} pen="#ff2d6f" onStroke={onMask} testId="mask-canvas" />
          )}
          <div class="row">
            <Checkbox label="Invert mask (repaint what is not painted)" name="inpainting_mask_invert"
              checked={inpaint.inpainting_mask_invert} onInput={setIn('inpainting_mask_invert')} />
            <Field label="Mask blur" name="mask_blur" type="number" min="0" max="64" value={inpaint.mask_blur}
              onInput={setIn('mask_blur')} error={error} />
            <Select label="Masked content" name="inpainting_fill" value={inpaint.inpainting_fill}
              onInput={setIn('inpainting_fill')} options={FILLS} error={error} />
          </div>
          <div class="row">
            <Select label="Inpaint area" name="inpaint_full_res" value={inpaint.inpaint_full_res ? 'masked' : 'whole'}
              onInput={(v) => setIn('inpaint_full_res')(v === 'masked')} error={error}
              options={[{ value: 'whole', label: 'Whole picture' }, { value: 'masked', label: 'Only masked' }]} />
            <Field label="Only masked padding (px)" name="inpaint_full_res_padding" type="number" min="0" max="256"
              value={inpaint.inpaint_full_res_padding} onInput={setIn('inpaint_full_res_padding')} error={error}
              disabled={!inpaint.inpaint_full_res} />
          </div>
          {error && error.field === 'mask' && <small class="error" role="alert">{error.message}</small>}
        </fieldset>
      )}
      {tab === 'img2img' && mode === 'sketch' && (
        <fieldset>
          <legend>Sketch</legend>
          {initImage && (
            <Checkbox label="Draw over the init image" name="sketch_over_image" checked={overImage}
              onInput={setOverImage} />
          )}
          <PaintCanvas key={sketchBase || 'blank'} kind="Sketch" background={sketchBase} width={width || 512}
            height={height || 512} fill="#ffffff" colours onStroke={onSketch} testId="sketch-canvas" />
          <p class="hint">The sketch is the init image.</p>
        </fieldset>
      )}
      {tab === 'img2img' && mode === 'outpaint' && (
        <fieldset>
          <legend>Outpaint: pixels to add on each side</legend>
          <p class="hint">{initImage ? 'The result is the init image with these pixels added (multiples of 8); '
            + 'the new area is painted from the prompt.' : 'Choose an init image first.'}</p>
          <div class="row">
            {SIDES.map((side) => (
              <Field key={side} label={`Add ${side}`} name={`outpaint.${side}`} type="number" min="0" max="2048"
                step="8" value={outpaint[side]} onInput={(v) => setOutpaint((o) => ({ ...o, [side]: v }))}
                error={error} />
            ))}
          </div>
          <div class="row">
            <Field label="Mask blur" name="mask_blur" type="number" min="0" max="64" value={inpaint.mask_blur}
              onInput={setIn('mask_blur')} error={error} />
            <Select label="Masked content" name="inpainting_fill" value={inpaint.inpainting_fill}
              onInput={setIn('inpainting_fill')} options={FILLS} error={error} />
          </div>
        </fieldset>
      )}
      <ControlNetUnits tab={tab} width={width} height={height} error={error} onUnits={setUnits} />
    </div>
  );
}
