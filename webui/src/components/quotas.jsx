// Quota fields (users' overrides and roles' quotas): each empty field is "not set here" (null to the API).
import { Field } from './form.jsx';

export const QUOTAS = [
  ['max_concurrent_jobs', 'Concurrent jobs', '1'],
  ['max_concurrent_trainings', 'Concurrent trainings', '1'],
  ['images_per_day', 'Images per day (UTC)', '1'],
  ['gpu_seconds_per_month', 'GPU-seconds per month', 'any'],
  ['requests_per_second', 'Requests per second', 'any'],
];

/** The form's values (strings or numbers, '' for unset) from the API's quotas. */
export function quotaForm(quotas) {
  return Object.fromEntries(QUOTAS.map(([key]) => [key, quotas && quotas[key] != null ? quotas[key] : '']));
}

/** The API's quotas from the form: only what is set. */
export function quotaBody(form) {
  return Object.fromEntries(QUOTAS.filter(([key]) => form[key] !== '' && form[key] != null)
    .map(([key]) => [key, Number(form[key])]));
}

/** `prefix`: the request field the quotas sit in ("quotas"), so an error naming quotas.images_per_day shows here. */
export function QuotaFields({ value, onInput, error, prefix = 'quotas', legend = 'Quotas' }) {
  return (
    <fieldset class="quotas">
      <legend>{legend}</legend>
      <div class="row">
        {QUOTAS.map(([key, label, step]) => (
          <Field key={key} label={label} name={`${prefix}.${key}`} type="number" min="0" step={step}
            value={value[key]} error={error} hint="empty: not set"
            onInput={(v) => onInput({ ...value, [key]: v })} />
        ))}
      </div>
    </fieldset>
  );
}

/** "a, b ,c" -> ['a', 'b', 'c'] */
export function listOf(text) {
  return text.split(',').map((s) => s.trim()).filter(Boolean);
}

export function sizeOf(bytes) {
  if (bytes == null) return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let n = bytes;
  let u = 0;
  while (n >= 1024 && u < units.length - 1) {
    n /= 1024;
    u += 1;
  }
  return `${n < 10 && u ? n.toFixed(1) : Math.round(n)} ${units[u]}`;
}
