// The generate page's further fields (proto/schemas/v1/jobs.json JobRequest): variation seed and strength
// (subseed, subseed_strength), tiling, and the SDXL refiner (refiner.model, refiner.switch_at), shown only when the
// chosen checkpoint is SDXL. `onFields(fields)` gets the request fields they add, like canvas/tools.jsx.
import { useEffect, useState } from 'preact/hooks';
import { Checkbox, Field, Select } from './form.jsx';

/** The request fields these show errors for (the generate form's FormError leaves them to them). */
export const EXTRA_FIELDS = ['subseed', 'subseed_strength', 'tiling', 'refiner'];
const START = { variation: false, subseed: -1, subseed_strength: 0.5, tiling: false, refiner: false,
  refiner_model: '', switch_at: 0.8 };

/** `model`: the chosen checkpoint (null: the default one, whose base is not known here); `checkpoints`: all;
 * `restore`: values to start again from (a job's, restore.js `extrasOf`). */
export function GenerationExtras({ model, checkpoints, error, onFields, restore = null }) {
  const [v, setV] = useState(START);
  useEffect(() => {
    if (restore) setV({ ...START, ...restore });
  }, [restore]);
  const set = (name) => (value) => setV((old) => ({ ...old, [name]: value }));
  const sdxl = !!model && model.base === 'sdxl';
  const refiners = checkpoints.filter((m) => m.base === 'sdxl' && m.status !== 'failed');

  useEffect(() => {
    const fields = { tiling: v.tiling };
    if (v.variation) {
      fields.subseed = v.subseed === '' ? -1 : v.subseed;
      fields.subseed_strength = v.subseed_strength === '' ? 0 : v.subseed_strength;
    }
    if (sdxl && v.refiner && v.refiner_model) {
      fields.refiner = { model: v.refiner_model, switch_at: v.switch_at === '' ? 0.8 : v.switch_at };
    }
    onFields(fields);
  }, [v, sdxl]);

  return (
    <div class="extras">
      <div class="row">
        <Checkbox label="Tiling" name="tiling" checked={v.tiling} onInput={set('tiling')} />
        <Checkbox label="Variations" name="variation_enabled" checked={v.variation} onInput={set('variation')} />
      </div>
      {v.variation && (
        <fieldset>
          <legend>Variation</legend>
          <div class="row">
            <Field label="Variation seed" name="subseed" type="number" min="-1" value={v.subseed}
              onInput={set('subseed')} error={error} hint="-1: random" />
            <Field label="Variation strength" name="subseed_strength" type="number" min="0" max="1" step="0.01"
              value={v.subseed_strength} onInput={set('subseed_strength')} error={error} />
          </div>
        </fieldset>
      )}
      {sdxl && (
        <fieldset>
          <legend><Checkbox label="Refiner" name="refiner_enabled" checked={v.refiner} onInput={set('refiner')} />
          </legend>
          {v.refiner && (
            <div class="row">
              <Select label="Refiner checkpoint" name="refiner.model" value={v.refiner_model}
                onInput={set('refiner_model')} error={error}
                options={[{ value: '', label: 'Choose…' },
                  ...refiners.map((m) => ({ value: m.name, label: m.title || m.name }))]} />
              <Field label="Switch at" name="refiner.switch_at" type="number" min="0.01" max="1" step="0.01"
                value={v.switch_at} onInput={set('switch_at')} error={error}
                hint="fraction of steps on the base model" />
            </div>
          )}
        </fieldset>
      )}
    </div>
  );
}
