// A file upload's progress: `sent` is {done, total} bytes (null before anything goes up), shown as a bar, a
// percentage and sizes. `id` names the bar, `testid` prefixes the test ids (<testid>-progress, <testid>-percent).
import { sizeOf } from './quotas.jsx';

export function UploadProgress({ sent, id, testid }) {
  if (!sent) return null;
  const percent = sent.total ? Math.min(100, Math.round((100 * sent.done) / sent.total)) : 0;
  return (
    <div class="progress-line" data-testid={`${testid}-progress`}>
      <label for={id}>Upload</label>
      <progress id={id} max={sent.total} value={sent.done} />
      <span data-testid={`${testid}-percent`}>{percent}%</span>
      <span class="hint">{sizeOf(sent.done)} of {sizeOf(sent.total)}</span>
    </div>
  );
}
