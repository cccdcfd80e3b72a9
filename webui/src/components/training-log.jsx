// A training's log, followed live: the trainer's last lines (GET /v1/trainings/{id}/logs) and then each `log` event
// of the training's stream (TrainingDetail passes them in as `batches`), each batch once (by its sequence). A failed
// training's error is its last line. Only the newest MAX_SHOWN lines are kept; the list stays scrolled to its end
// while the reader is there.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api.js';

const MAX_SHOWN = 1000;
const TAIL = 500;

const EMPTY = { lines: [], seq: 0, dropped: 0 };

/** The log as the page keeps it, with the lines of a reply of GET .../logs merged in (newer ones kept). */
export function merged(old, reply) {
  const lines = reply.entries.length ? reply.entries
    : reply.lines.map((text) => ({ seq: 0, level: 'info', text })); // the launcher's output: plain lines
  const newer = old.lines.filter((l) => l.seq > reply.cursor);
  return { lines: [...lines, ...newer].slice(-MAX_SHOWN), seq: Math.max(old.seq, reply.cursor),
    dropped: old.dropped + (reply.dropped || 0) };
}

/** The log with one SSE `log` batch (its event id the stream sequence) added, unless it has it already. */
export function appended(old, seq, batch) {
  if (!batch || !(seq > old.seq)) return old;
  const lines = batch.lines.map((l) => ({ ...l, seq }));
  return { lines: [...old.lines, ...lines].slice(-MAX_SHOWN), seq, dropped: old.dropped + (batch.dropped || 0) };
}

export function useTrainingLog(trainingId, status) {
  const [log, setLog] = useState(EMPTY);
  const load = () => api(`/v1/trainings/${encodeURIComponent(trainingId)}/logs?lines=${TAIL}`)
    .then((reply) => setLog((old) => merged(old, reply)), () => {});
  useEffect(() => {
    setLog(EMPTY);
    load();
  }, [trainingId]);
  useEffect(() => { // a run that died without a word: the launcher's last lines, once it has ended
    if (status === 'failed') load();
  }, [status]);
  return [log, (seq, batch) => setLog((old) => appended(old, Number(seq), batch))];
}

export function TrainingLog({ log, error }) {
  const list = useRef(null);
  const atEnd = useRef(true);
  useEffect(() => {
    if (list.current && atEnd.current) list.current.scrollTop = list.current.scrollHeight;
  }, [log, error]);
  const onScroll = (e) => {
    const el = e.currentTarget;
    atEnd.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
  };
  const failure = error ? `training failed: ${error.code}: ${error.message}` : null;
  const said = failure && log.lines.some((l) => l.level === 'error' && l.text.includes(error.message));
  const empty = !log.lines.length && !failure;
  return (
    <details class="training-log" open>
      <summary>Trainer log{log.dropped ? ` (${log.dropped} lines left out)` : ''}</summary>
      <ol ref={list} onScroll={onScroll} role="log" aria-label="Trainer log" tabIndex={0}
        data-testid="training-log">
        {empty && <li class="hint">No lines yet.</li>}
        {log.lines.map((l, i) => (
          <li key={`${l.seq}-${i}`} class={`log-${l.level}`} data-testid="log-line">
            {l.at && <time dateTime={l.at}>{new Date(l.at).toLocaleTimeString()}</time>}{l.text}
          </li>
        ))}
        {failure && !said && <li class="log-error" data-testid="log-line">{failure}</li>}
      </ol>
    </details>
  );
}
