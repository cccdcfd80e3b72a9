// A paint canvas: strokes drawn with the pointer on a transparent layer over an optional background image, at the
// image's own pixel size (the layer is scaled to fit the page, pointer positions scaled back). The layer's owner
// composes what to send (a black-and-white mask, a sketch over the image, a scribble) with `composed` below.
// Canvas 2D and pointer events are all the browser needs: no drawing library is worth its weight here.
import { useEffect, useRef, useState } from 'preact/hooks';
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

/**
 * The canvas and its tools (brush size, colour when `colours`, eraser, clear), every control labelled.
 * `background`: an image URL shown under the strokes (its size is the canvas size), else `width` x `height` on
 * `fill`; `pen`: the stroke colour without `colours`; `onStroke(layer)` after each stroke and on clear; `kind`
 * names it in labels ("Mask", "Sketch", ...).
 */
export function PaintCanvas({ kind, background, width, height, fill = null, colours = false, pen = '#ffffff',
  onStroke, testId }) {
  const layer = useRef(null);
  const drawing = useRef(null);
  const [size, setSize] = useState(24);
  const [colour, setColour] = useState(colours ? '#000000' : pen);
  const [erase, setErase] = useState(false);
  const [dims, setDims] = useState({ width, height });

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
  const down = (e) => {
    e.preventDefault();
    layer.current.setPointerCapture(e.pointerId);
    drawing.current = at(e);
    line(drawing.current, drawing.current);
  };
  const move = (e) => {
    if (!drawing.current) return;
    const point = at(e);
    line(drawing.current, point);
    drawing.current = point;
  };
  const up = () => {
    if (!drawing.current) return;
    drawing.current = null;
    onStroke(layer.current);
  };
  const clear = () => {
    layer.current.getContext('2d').clearRect(0, 0, layer.current.width, layer.current.height);
    onStroke(layer.current);
  };

  const backdrop = background ? 'paint-backdrop' : `paint-backdrop ${fill === '#000000' ? 'black' : 'white'}`;
  return (
    <div class="paint">
      <div class="row paint-tools">
        <Field label={`${kind} brush size`} name={`${kind}-brush`} type="range" min="1" max="128" value={size}
          onInput={setSize} hint={`${size} px`} />
        {colours && (
          <Field label={`${kind} colour`} name={`${kind}-colour`} type="color" value={colour} onInput={setColour} />
        )}
        <Checkbox label="Eraser" name={`${kind}-eraser`} checked={erase} onInput={setErase} />
        <button type="button" class="ghost" onClick={clear}>{`Clear ${kind.toLowerCase()}`}</button>
      </div>
      <div class={backdrop}>
        {background && <img src={background} alt="" draggable={false} />}
        <canvas ref={layer} width={dims.width} height={dims.height} data-testid={testId}
          class={kind === 'Mask' ? 'paint-layer mask' : 'paint-layer'}
          aria-label={`${kind} canvas: draw with the pointer`} role="img"
          onPointerDown={down} onPointerMove={move} onPointerUp={up} onPointerCancel={up} />
      </div>
    </div>
  );
}
