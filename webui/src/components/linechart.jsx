// A small SVG line chart (a training's loss per step): points scaled into a fixed box, the axes' ends labelled.
// Geometry is SVG attributes only, never inline styles (the page's CSP allows none).

const W = 480;
const H = 160;
const PAD = 4;

function fmt(v) {
  return Math.abs(v) >= 100 || v === 0 ? String(Math.round(v)) : v.toPrecision(3);
}

/** `points`: [[x, y], …] sorted by x; `label`: what the chart shows, for screen readers. */
export function LineChart({ points, label, xName = 'step', yName = 'loss' }) {
  if (!points.length) return <p class="empty">No {yName} yet.</p>;
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  const sx = (x) => PAD + ((x - x0) / (x1 - x0 || 1)) * (W - 2 * PAD);
  const sy = (y) => H - PAD - ((y - y0) / (y1 - y0 || 1)) * (H - 2 * PAD);
  const path = points.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ');
  const last = points[points.length - 1];
  return (
    <figure class="linechart">
      <svg viewBox={`0 0 ${W} ${H}`} preserveAspectRatio="none" role="img" data-points={points.length}
        aria-label={`${label}: ${points.length} points, last ${yName} ${fmt(last[1])} at ${xName} ${last[0]}`}>
        <line class="axis" x1={PAD} y1={H - PAD} x2={W - PAD} y2={H - PAD} />
        <line class="axis" x1={PAD} y1={PAD} x2={PAD} y2={H - PAD} />
        <polyline class="line" points={path} fill="none" />
      </svg>
      <figcaption>
        <span>{yName} {fmt(y0)}–{fmt(y1)}</span>
        <span>{xName} {x0}–{x1}</span>
        <span data-testid="last-loss">last {fmt(last[1])}</span>
      </figcaption>
    </figure>
  );
}
