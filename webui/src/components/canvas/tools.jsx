// The generate page's image tools: on img2img, inpaint (a mask painted by brush on the init image), sketch (drawn
// in colour, over the init image or on a blank canvas: the result is the init image), inpaint sketch (drawn in colour
// over the init image: the strokes are both the new colours of the init image and the mask) and outpaint (pixels
// added on each side); on both tabs, ControlNet units. `onFields(fields)` gets the /v1/jobs request fields they add
// (proto/schemas/v1/jobs.json JobRequest: mask, mask_blur, inpainting_fill, inpaint_full_res,
// inpaint_full_res_padding, inpainting_mask_invert, outpaint, init_images, controlnets).
import { useEffect, useState } from 'preact/hooks';
import { Checkbox, Field, Select } from '../form.jsx';
import { ControlNetUnits } from './controlnet.jsx';
import { PaintCanvas, composed, painted } from './paint.jsx';

const MODES = [{ value: 'image', label: 'Image as it is' }, { value: 'inpaint', label: 'Inpaint (paint a mask)' },
  { value: 'sketch', label: 'Sketch' }, { value: 'inpaint_sketch', label: 'Inpaint sketch (colour and mask)' },
  { value: 'outpaint', label: 'Outpaint' }];
const FILLS = [{ value: 'fill', label: 'Fill' }, { value: 'original', label: 'Original' },
  { value: 'latent_noise', label: 'Latent noise' }, { value: 'latent_nothing', label: 'Latent nothing' }];
const INPAINT = { mask_blur: 4, inpainting_fill: 'original', inpaint_full_res: false, inpaint_full_res_padding: 32,
  inpainting_mask_invert: false };
const SIDES = ['left', 'right', 'top', 'bottom'];
/** The request fields these tools show errors for (the generate form's FormError leaves them to them). */
export const TOOL_FIELDS = ['mask', 'mask_blur', 'inpainting_fill', 'inpaint_full_res', 'inpaint_full_res_padding',
  'inpainting_mask_invert', 'outpaint', 'controlnets'];

/** The inpaint options of a job's spec (History's "send to"), for `restore`. */
export function inpaintOf(spec) {
  return Object.fromEntries(Object.keys(INPAINT).filter((k) => spec[k] != null).map((k) => [k, spec[k]]));
}

/** `mode`: an edit mode to open in (History's "Send to inpaint": `#/generate?tab=img2img&...&mode=inpaint`);
 * `restore`: inpaint options to start from (`inpaintOf(spec)`); `restoreUnits`: ControlNet units to start from
 * (restore.js `controlnetsOf`). */
export function ImageTools({ tab, initImage, width, height, error, onFields, mode: asked = null, restore = null,
  restoreUnits = null }) {
  const [mode, setMode] = useState('image');
  const [mask, setMask] = useState(null);
  const [inpaint, setInpaint] = useState(INPAINT);
  const [sketch, setSketch] = useState(null);
  const [inSketch, setInSketch] = useState(null); // {image, mask} of the inpaint sketch
  const [overImage, setOverImage] = useState(true);
  const [outpaint, setOutpaint] = useState({ left: 0, right: 0, top: 0, bottom: 0 });
  const [units, setUnits] = useState([]);
  const setIn = (name) => (value) => setInpaint((v) => ({ ...v, [name]: value }));
  const sketchBase = overImage && initImage ? initImage : null;

  useEffect(() => {
    if (MODES.some((m) => m.value === asked)) setMode(asked);
  }, [asked]);
  useEffect(() => {
    if (restore) setInpaint({ ...INPAINT, ...restore });
  }, [restore]);

  useEffect(() => {
    const fields = {};
    if (units.length) fields.controlnets = units;
    if (tab === 'img2img' && mode === 'inpaint' && initImage && mask) Object.assign(fields, { mask, ...inpaint });
    if (tab === 'img2img' && mode === 'sketch' && sketch) fields.init_images = [sketch];
    if (tab === 'img2img' && mode === 'inpaint_sketch' && initImage && inSketch) {
      Object.assign(fields, { init_images: [inSketch.image], mask: inSketch.mask, ...inpaint });
    }
    if (tab === 'img2img' && mode === 'outpaint' && initImage) {
      // no size: the API makes it the init image's plus the pixels added
      Object.assign(fields, { outpaint, width: null, height: null });
      Object.assign(fields, { mask_blur: inpaint.mask_blur, inpainting_fill: inpaint.inpainting_fill });
    }
    onFields(fields);
  }, [tab, mode, mask, inpaint, sketch, inSketch, outpaint, units, initImage]);

  const onMask = async (layer) => setMask(painted(layer) ? await composed(layer, { fill: '#000000', ink: '#ffffff' })
    : null);
  const onSketch = async (layer) => setSketch(await composed(layer, { under: sketchBase, fill: '#ffffff' }));
  const onInpaintSketch = async (layer) => setInSketch(painted(layer) ? {
    image: await composed(layer, { under: initImage }),
    mask: await composed(layer, { fill: '#000000', ink: '#ffffff' }),
  } : null);
  const options = <InpaintOptions inpaint={inpaint} setIn={setIn} error={error} />;

  return (
    <div class="canvas-tools">
      {tab === 'img2img' && (
        <Select label="Edit mode" name="edit_mode" value={mode} onInput={setMode} options={MODES} />
      )}
      {tab === 'img2img' && mode === 'inpaint' && (
        <fieldset>
          <legend>Inpaint</legend>
          {!initImage ? <p class="hint">Choose an init image first, then paint the area to repaint.</p> : (
            <PaintCanvas kind="Mask" background={initImage} pen="#ff2d6f" onStroke={onMask} testId="mask-canvas"
              overlay />
          )}
          {options}
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
      {tab === 'img2img' && mode === 'inpaint_sketch' && (
        <fieldset>
          <legend>Inpaint sketch</legend>
          {!initImage ? <p class="hint">Choose an init image first, then paint over it in colour.</p> : (
            <PaintCanvas kind="Inpaint sketch" background={initImage} colours onStroke={onInpaintSketch}
              testId="inpaint-sketch-canvas" />
          )}
          <p class="hint">What you paint is both the new colour in the init image and the area repainted.</p>
          {options}
          {error && error.field === 'mask' && <small class="error" role="alert">{error.message}</small>}
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
      <ControlNetUnits tab={tab} initImage={initImage} width={width} height={height} error={error}
        onUnits={setUnits} restore={restoreUnits} />
    </div>
  );
}

/** Inpaint's options, shared by inpaint and inpaint sketch. */
function InpaintOptions({ inpaint, setIn, error }) {
  return (
    <>
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
    </>
  );
}
