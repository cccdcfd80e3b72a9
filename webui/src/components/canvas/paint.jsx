// A paint canvas: strokes drawn with the pointer on a transparent layer over an optional background image, at the
// image's own pixel size (the layer is scaled to fit the page, pointer positions scaled back). The layer's owner
// composes what to send (a black-and-white mask, a sketch over the image, a scribble) with `composed` below.
// Canvas 2D and pointer events are all the browser needs: no drawing library is worth its weight here. The canvas
// also paints from the keyboard (focus it: arrows move a cursor, Space puts the brush down or lifts it, [ and ]
// change the brush size, E toggles the eraser), so it is usable without a pointer.
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { Checkbox, Field } from '../form.jsx';
import './canvas.css';

/** An <img> loaded from a URL (a data: URL here), for drawing onto a canvas. */
export function loadImage(url) {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => resolve(img);
    img.onerror = () => reject(new Error('the image could not be read'));
    img.src = url;
  });
}

/**
 * A PNG data URL of `layer` drawn over `under` (an image URL) or over a plain `fill` colour, at the layer's size;
 * `ink`: recolour every stroke to this colour first (a mask's white).
 */
export async function composed(layer, { under = null, fill = null, ink = null } = {}) {
  const out = document.createElement('canvas');
  out.width = layer.width;
  out.height = layer.height;
  const ctx = out.getContext('2d');
  if (fill) {
    ctx.fillStyle = fill;
    ctx.fillRect(0, 0, out.width, out.height);
  }
  if (under) ctx.drawImage(await loadImage(under), 0, 0, out.width, out.height);
  let strokes = layer;
  if (ink) {
    strokes = document.createElement('canvas');
    strokes.width = layer.width;
    strokes.height = layer.height;
    const s = strokes.getContext('2d');
    s.drawImage(layer, 0, 0);
    s.globalCompositeOperation = 'source-in';
    s.fillStyle = ink;
    s.fillRect(0, 0, strokes.width, strokes.height);
  }
  ctx.drawImage(strokes, 0, 0);
  return out.toDataURL('image/png');
}

/** Whether anything is painted on the layer. */
export function painted(layer) {
  const { data } = layer.getContext('2d').getImageData(0, 0, layer.width, layer.height);
  for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) return true;
  return false;
}

const clamp = (v, low, high) => Math.min(high, Math.max(low, v));
const MOVES = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
const KEYBOARD_HELP = 'Keyboard: focus the canvas, arrows move the cursor (Shift: smaller steps), Space puts '
  + 'the brush down or lifts it (while down, moving paints), [ and ] change the brush size, E toggles the eraser.';

/**
 * The canvas and its tools (brush size, colour when `colours`, eraser, clear), every control labelled.
 * `background`: an image URL shown under the strokes (its size is the canvas size), else `width` x `height` on
 * `fill`; `pen`: the stroke colour without `colours`; `onStroke(layer)` after each stroke and on clear; `kind`
 * names it in labels ("Mask", "Sketch", ...); `overlay`: strokes shown see-through over the image (a mask).
 */
export function PaintCanvas({ kind, background, width, height, fill = null, colours = false, pen = '#ffffff',
  onStroke, testId, overlay = false }) {
  const helpId = useId();
  const layer = useRef(null);
  const drawing = useRef(null);
  const [size, setSize] = useState(24);
  const [colour, setColour] = useState(colours ? '#000000' : pen);
  const [erase, setErase] = useState(false);
  const [dims, setDims] = useState({ width, height });
  const [cursor, setCursor] = useState(null); // the keyboard's brush position, in the image's pixels
  const [penDown, setPenDown] = useState(false);
  const [focused, setFocused] = useState(false);

  // the canvas takes the background's pixel size (or the given size); resizing it clears the strokes
  useEffect(() => {
    let live = true;
    if (background) {
      loadImage(background).then((img) => live && setDims({ width: img.naturalWidth, height: img.naturalHeight }));
    } else {
      setDims({ width, height });
    }
    return () => {
      live = false;
    };
  }, [background, width, height]);
  useEffect(() => {
    if (layer.current) onStroke(layer.current);
    setCursor(null);
    setPenDown(false);
  }, [dims.width, dims.height]);

  const at = (e) => {
    const rect = layer.current.getBoundingClientRect();
    return [(e.clientX - rect.left) * (layer.current.width / rect.width),
      (e.clientY - rect.top) * (layer.current.height / rect.height)];
  };
  const scale = () => layer.current.width / layer.current.getBoundingClientRect().width;
  const line = (from, to) => {
    const ctx = layer.current.getContext('2d');
    ctx.globalCompositeOperation = erase ? 'destination-out' : 'source-over';
    ctx.strokeStyle = colour;
    ctx.fillStyle = colour;
    ctx.lineWidth = size * scale();
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.beginPath();
    ctx.moveTo(...from);
    ctx.lineTo(...to);
    ctx.stroke();
  };
  // mouse, pen or touch alike (touch-action: none keeps a finger's drag from scrolling the page); one pointer
  // paints at a time: a second finger is ignored rather than joined to the first one's line
  const pointer = useRef(null);
  const down = (e) => {
    e.preventDefault();
    if (drawing.current) return;
    layer.current.setPointerCapture(e.pointerId);
    pointer.current = e.pointerId;
    drawing.current = at(e);
    line(drawing.current, drawing.current);
  };
  const move = (e) => {
    if (!drawing.current || e.pointerId !== pointer.current) return;
    const point = at(e);
    line(drawing.current, point);
    drawing.current = point;
  };
  const up = (e) => {
    if (!drawing.current || e.pointerId !== pointer.current) return;
    drawing.current = null;
    onStroke(layer.current);
  };
  const onKey = (e) => {
    const { width: w, height: h } = layer.current;
    const here = cursor || [Math.floor(w / 2), Math.floor(h / 2)]; // the centre until moved
    if (MOVES[e.key]) {
      e.preventDefault();
      const step = Math.max(1, Math.round(Math.max(w, h) / (e.shiftKey ? 128 : 32)));
      const [dx, dy] = MOVES[e.key];
      const next = [clamp(here[0] + dx * step, 0, w - 1), clamp(here[1] + dy * step, 0, h - 1)];
      if (penDown) {
        line(here, next);
        onStroke(layer.current);
      }
      setCursor(next);
    } else if (e.key === ' ') {
      e.preventDefault();
      if (!penDown) {
        line(here, here);
        onStroke(layer.current);
      }
      setPenDown(!penDown);
      setCursor(here);
    } else if (e.key === '[' || e.key === ']') {
      e.preventDefault();
      setSize((s) => clamp(Number(s) + (e.key === ']' ? 4 : -4), 1, 128));
    } else if (e.key === 'e' || e.key === 'E') {
      e.preventDefault();
      setErase((v) => !v);
    } else if (e.key === 'Escape') {
      setPenDown(false);
    }
  };
  const focus = () => {
    setFocused(true);
    const { width: w, height: h } = layer.current;
    setCursor((c) => c || [Math.floor(w / 2), Math.floor(h / 2)]);
  };
  const clear = () => {
    layer.current.getContext('2d').clearRect(0, 0, layer.current.width, layer.current.height);
    onStroke(layer.current);
  };

  const backdrop = background ? 'paint-backdrop' : `paint-backdrop ${fill === '#000000' ? 'black' : 'white'}`;
  const shown = focused && cursor && layer.current;
  return (
    <div class="paint">
      <div class="row paint-tools">
        <Field label={`${kind} brush size`} name={`${kind}-brush`} type="range" min="1" max="128" value={size}
          onInput={setSize} hint={`${size} px`} />
        {colours && (
          <Field label={`${kind} colour`} name={`${kind}-colour`} type="color" value={colour} onInput={setColour} />
        )}
        <Checkbox label={`${kind} eraser`} name={`${kind}-eraser`} checked={erase} onInput={setErase} />
        <button type="button" class="ghost" onClick={clear}>{`Clear ${kind.toLowerCase()}`}</button>
      </div>
      <div class={backdrop}>
        {background && <img src={background} alt="" draggable={false} />}
        <canvas ref={layer} width={dims.width} height={dims.height} data-testid={testId}
          class={overlay ? 'paint-layer mask' : 'paint-layer'} tabIndex={0} role="application"
          aria-roledescription="paint canvas" aria-label={`${kind} canvas: draw with the pointer or the keyboard`}
          aria-describedby={helpId} onKeyDown={onKey} onFocus={focus}
          onBlur={() => { setFocused(false); setPenDown(false); }}
          onPointerDown={down} onPointerMove={move} onPointerUp={up} onPointerCancel={up} />
        {shown && (
          <svg class="paint-cursor" viewBox={`0 0 ${dims.width} ${dims.height}`} aria-hidden="true">
            <circle cx={cursor[0]} cy={cursor[1]} r={Math.max(1, (Number(size) * scale()) / 2)}
              class={penDown ? 'down' : 'up'} />
          </svg>
        )}
      </div>
      <small class="hint paint-help" id={helpId}>{KEYBOARD_HELP}</small>
      {shown && (
        <small class="hint paint-status" aria-live="polite" data-testid="paint-status">
          {`Brush ${penDown ? 'down' : 'up'} at ${cursor[0]}, ${cursor[1]}, ${size} px${erase ? ', eraser' : ''}`}
        </small>
      )}
    </div>
  );
}
