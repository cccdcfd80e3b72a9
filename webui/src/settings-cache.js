// The signed-in user's saved settings (GET /v1/me/settings) for the generate page's defaults and its style picker:
// callers while a request is in flight share it; a later call (another visit to the page) asks again.
import { api } from './api.js';

let pending = null;

export function userSettings() {
  pending = pending || api('/v1/me/settings').finally(() => {
    pending = null;
  });
  return pending;
}

// UserSettings fields (proto/schemas/v1/auth.json) that are generate-form fields of the same name
const FORM_FIELDS = ['model', 'sampler', 'scheduler', 'steps', 'cfg_scale', 'width', 'height', 'negative_prompt'];

/** `form` with the user's saved defaults in the fields still at `untouched` (the page's own defaults): what the
 * user typed before the settings arrived stays. */
export function withSavedDefaults(form, settings, untouched) {
  const out = { ...form };
  for (const k of FORM_FIELDS) if (settings[k] != null && form[k] === untouched[k]) out[k] = settings[k];
  return out;
}
