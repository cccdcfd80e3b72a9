// Shared form parts: every input has a visible label, and shows the API's error for its field beside it
// (an ApiError's `field`, e.g. "width" or "hires.scale", matched against the `name` given here).
import { useId } from 'preact/hooks';

export function fieldError(error, name) {
  return error && error.field && (error.field === name || error.field.startsWith(`${name}.`)) ? error.message : null;
}

function Wrapped({ id, label, hint, error, name, children }) {
  const message = fieldError(error, name);
  return (
    <div class={`field${message ? ' invalid' : ''}`}>
      <label for={id}>{label}</label>
      {children}
      {hint && !message && <small class="hint">{hint}</small>}
      {message && <small class="error" id={`${id}-error`} role="alert">{message}</small>}
    </div>
  );
}

/** A labelled input; `value`/`onInput(value)` (numbers for type=number). */
export function Field({ label, name, value, onInput, type = 'text', error, hint, ...rest }) {
  const id = useId();
  const invalid = !!fieldError(error, name);
  const parse = (raw) => (type === 'number' ? (raw === '' ? '' : Number(raw)) : raw);
  return (
    <Wrapped id={id} label={label} hint={hint} error={error} name={name}>
      <input id={id} name={name} type={type} value={value} aria-invalid={invalid}
        aria-describedby={invalid ? `${id}-error` : undefined}
        onInput={(e) => onInput(parse(e.currentTarget.value))} {...rest} />
    </Wrapped>
  );
}

export function TextArea({ label, name, value, onInput, error, hint, rows = 3, ...rest }) {
  const id = useId();
  const invalid = !!fieldError(error, name);
  return (
    <Wrapped id={id} label={label} hint={hint} error={error} name={name}>
      <textarea id={id} name={name} rows={rows} value={value} aria-invalid={invalid}
        aria-describedby={invalid ? `${id}-error` : undefined}
        onInput={(e) => onInput(e.currentTarget.value)} {...rest} />
    </Wrapped>
  );
}

/** A labelled select; `options` are strings or {value, label}. */
export function Select({ label, name, value, onInput, options, error, hint, ...rest }) {
  const id = useId();
  const invalid = !!fieldError(error, name);
  return (
    <Wrapped id={id} label={label} hint={hint} error={error} name={name}>
      <select id={id} name={name} value={value} aria-invalid={invalid}
        aria-describedby={invalid ? `${id}-error` : undefined}
        onChange={(e) => onInput(e.currentTarget.value)} {...rest}>
        {options.map((o) => (typeof o === 'string'
          ? <option key={o} value={o}>{o}</option>
          : <option key={o.value} value={o.value}>{o.label}</option>))}
      </select>
    </Wrapped>
  );
}

export function Checkbox({ label, name, checked, onInput, ...rest }) {
  const id = useId();
  return (
    <div class="field checkbox">
      <input id={id} name={name} type="checkbox" checked={checked}
        onChange={(e) => onInput(e.currentTarget.checked)} {...rest} />
      <label for={id}>{label}</label>
    </div>
  );
}

/** The error no field claims (or every error, with `all`), as an alert. */
export function FormError({ error, claimed = [] }) {
  if (!error) return null;
  if (error.field && claimed.some((name) => fieldError(error, name))) return null;
  return <p class="form-error" role="alert">{error.message}</p>;
}
