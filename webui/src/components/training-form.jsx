// Start a training (POST /v1/trainings): the fields every method shares, then each method's own (LoRA rank,
// DreamBooth's instance prompt, textual inversion's token, the hypernetwork's layers). Defaults are the API's
// (training-defaults.json, checked against proto/schemas/v1/trainings.json by tests/unit/test_webui_defaults.py);
// a field left empty is left out, so the API's default applies. Errors show beside the field the 422 names.
import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { Checkbox, Field, FormError, Select, TextArea } from './form.jsx';
import SCHEMA from '../training-defaults.json';

const D = SCHEMA.defaults;
const METHODS = [
  { value: 'lora', label: 'LoRA' }, { value: 'dreambooth_lora', label: 'DreamBooth LoRA' },
  { value: 'dreambooth', label: 'DreamBooth (full checkpoint)' },
  { value: 'textual_inversion', label: 'Textual inversion (embedding)' },
  { value: 'hypernetwork', label: 'Hypernetwork' },
];
// which learning rates each method trains, with the API's defaults (TrainingLearningRates' descriptions)
const RATES = {
  lora: [['unet', 1e-4], ['text_encoder', null]], dreambooth_lora: [['unet', 1e-4], ['text_encoder', null]],
  dreambooth: [['unet', 5e-6], ['text_encoder', null]], textual_inversion: [['embedding', 5e-3]],
  hypernetwork: [['hypernetwork', 1e-5]],
};
const START = {
  method: 'lora', name: '', base_model: '', dataset: '', resolution: '', batch_size: D.batch_size, max_steps: 1000,
  repeats: D.repeats, flip: D.flip, lr_scheduler: D.lr_scheduler, seed: D.seed, checkpoint_every: D.checkpoint_every,
  default_caption: '', rates: {}, sample_prompts: '', sample_every: D.samples.every, sample_steps: D.samples.steps,
  pool: '', rank: D.lora.rank, alpha: '', lora_text_encoder: D.lora.train_text_encoder,
  instance_prompt: '', class_prompt: '', num_class_images: '', prior_loss_weight: D.dreambooth.prior_loss_weight,
  db_text_encoder: D.dreambooth.train_text_encoder,
  token: '', num_vectors: D.textual_inversion.num_vectors, init_word: D.textual_inversion.init_word,
  layer_structure: D.hypernetwork.layer_structure.join(', '), activation: D.hypernetwork.activation,
  layer_norm: D.hypernetwork.layer_norm, dropout: D.hypernetwork.dropout,
};
const given = (v) => v !== '' && v != null;

/** The TrainingRequest for the form: only what was set. */
export function trainingRequest(f) {
  const body = { method: f.method, base_model: f.base_model, dataset: f.dataset, batch_size: f.batch_size,
    repeats: f.repeats, flip: f.flip, lr_scheduler: f.lr_scheduler, seed: f.seed,
    checkpoint_every: f.checkpoint_every };
  if (given(f.name)) body.name = f.name.trim();
  if (given(f.resolution)) body.resolution = f.resolution;
  if (given(f.max_steps)) body.max_steps = f.max_steps;
  if (f.default_caption) body.default_caption = f.default_caption;
  if (f.pool.trim()) body.pool = f.pool.trim();
  const rates = {};
  for (const [part] of RATES[f.method]) if (given(f.rates[part])) rates[part] = Number(f.rates[part]);
  if (Object.keys(rates).length) body.learning_rates = rates;
  const prompts = f.sample_prompts.split('\n').map((p) => p.trim()).filter(Boolean);
  if (prompts.length) body.samples = { prompts, every: f.sample_every || 0, steps: f.sample_steps || D.samples.steps };
  if (f.method === 'lora' || f.method === 'dreambooth_lora') {
    body.lora = { rank: f.rank, train_text_encoder: f.lora_text_encoder };
    if (given(f.alpha)) body.lora.alpha = f.alpha;
  }
  if (f.method === 'dreambooth' || f.method === 'dreambooth_lora') {
    body.dreambooth = { instance_prompt: f.instance_prompt, prior_loss_weight: f.prior_loss_weight };
    if (f.class_prompt) body.dreambooth.class_prompt = f.class_prompt;
    if (given(f.num_class_images)) body.dreambooth.num_class_images = f.num_class_images;
    if (f.method === 'dreambooth') body.dreambooth.train_text_encoder = f.db_text_encoder;
  }
  if (f.method === 'textual_inversion') {
    body.textual_inversion = { token: f.token.trim(), num_vectors: f.num_vectors, init_word: f.init_word };
  }
  if (f.method === 'hypernetwork') {
    body.hypernetwork = { layer_structure: f.layer_structure.split(',').map((v) => Number(v.trim())),
      activation: f.activation, layer_norm: f.layer_norm, dropout: f.dropout };
  }
  return body;
}

function MethodFields({ f, set, error }) {
  const m = f.method;
  return (
    <fieldset>
      <legend>{METHODS.find((x) => x.value === m).label}</legend>
      {(m === 'lora' || m === 'dreambooth_lora') && (
        <div class="row">
          <Field label="Rank" name="lora.rank" type="number" min="1" max="256" value={f.rank} onInput={set('rank')}
            error={error} />
          <Field label="Alpha" name="lora.alpha" type="number" min="0" step="any" value={f.alpha}
            onInput={set('alpha')} error={error} hint="empty: the rank" />
          <Checkbox label="Train the text encoder too" name="lora.train_text_encoder" checked={f.lora_text_encoder}
            onInput={set('lora_text_encoder')} />
        </div>
      )}
      {(m === 'dreambooth' || m === 'dreambooth_lora') && (
        <div class="row">
          <Field label="Instance prompt" name="dreambooth.instance_prompt" value={f.instance_prompt}
            onInput={set('instance_prompt')} error={error} placeholder="a photo of sks dog" required />
          <Field label="Class prompt" name="dreambooth.class_prompt" value={f.class_prompt}
            onInput={set('class_prompt')} error={error} hint="prior preservation; empty: none" />
          <Field label="Class images" name="dreambooth.num_class_images" type="number" min="1"
            value={f.num_class_images} onInput={set('num_class_images')} error={error} />
          <Field label="Prior loss weight" name="dreambooth.prior_loss_weight" type="number" min="0" max="10"
            step="0.1" value={f.prior_loss_weight} onInput={set('prior_loss_weight')} error={error} />
          {m === 'dreambooth' && (
            <Checkbox label="Fine-tune the text encoder" name="dreambooth.train_text_encoder"
              checked={f.db_text_encoder} onInput={set('db_text_encoder')} />
          )}
        </div>
      )}
      {m === 'textual_inversion' && (
        <div class="row">
          <Field label="Token" name="textual_inversion.token" value={f.token} onInput={set('token')} error={error}
            pattern="[A-Za-z0-9_\-]{1,64}" required hint="the new word your prompts use" />
          <Field label="Vectors per token" name="textual_inversion.num_vectors" type="number" min="1" max="75"
            value={f.num_vectors} onInput={set('num_vectors')} error={error} />
          <Field label="Initial word" name="textual_inversion.init_word" value={f.init_word}
            onInput={set('init_word')} error={error} />
        </div>
      )}
      {m === 'hypernetwork' && (
        <div class="row">
          <Field label="Layer structure" name="hypernetwork.layer_structure" value={f.layer_structure}
            onInput={set('layer_structure')} error={error} hint="e.g. 1, 2, 1" />
          <Select label="Activation" name="hypernetwork.activation" value={f.activation} onInput={set('activation')}
            options={SCHEMA.choices['hypernetwork.activation']} error={error} />
          <Checkbox label="Layer norm" name="hypernetwork.layer_norm" checked={f.layer_norm}
            onInput={set('layer_norm')} />
          <Checkbox label="Dropout" name="hypernetwork.dropout" checked={f.dropout} onInput={set('dropout')} />
        </div>
      )}
    </fieldset>
  );
}

/** The GPU pools `permissions` name (`pools:use:<pool>`), offered in the form; a wildcard names none. */
export function poolsOf(permissions) {
  return (permissions || []).filter((p) => p.startsWith('pools:use:') && !p.endsWith('*'))
    .map((p) => p.slice('pools:use:'.length));
}

/** `datasets`, `checkpoints`: what the user may train with; `pools`: the GPU pools they may name;
 * `onStarted(record)`. */
export function TrainingForm({ datasets, checkpoints, pools = [], onStarted }) {
  const [f, setF] = useState(START);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const set = (name) => (value) => setF((old) => ({ ...old, [name]: value }));
  const setRate = (part) => (value) => setF((old) => ({ ...old, rates: { ...old.rates, [part]: value } }));
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onStarted(await api('/v1/trainings', { method: 'POST', json: trainingRequest(f) }));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const choose = (label) => [{ value: '', label }];
  return (
    <form class="panel" onSubmit={submit} aria-label="Start a training">
      <h2>Start a training</h2>
      <div class="row">
        <Select label="Method" name="method" value={f.method} onInput={set('method')} options={METHODS}
          error={error} />
        <Select label="Base model" name="base_model" value={f.base_model} onInput={set('base_model')} error={error}
          options={[...choose('Choose…'), ...checkpoints.map((m) => ({ value: m.name, label: m.title || m.name }))]} />
        <Select label="Dataset" name="dataset" value={f.dataset} onInput={set('dataset')} error={error}
          options={[...choose('Choose…'), ...datasets.map((d) => ({ value: d.id,
            label: `${d.name} (${d.images} images)` }))]} />
        <Field label="Result name" name="name" value={f.name} onInput={set('name')} error={error}
          hint="empty: the dataset's name with the method" />
      </div>
      <MethodFields f={f} set={set} error={error} />
      <div class="row">
        <Field label="Max steps" name="max_steps" type="number" min="1" value={f.max_steps} onInput={set('max_steps')}
          error={error} />
        <Field label="Resolution" name="resolution" type="number" min="32" step="8" value={f.resolution}
          onInput={set('resolution')} error={error} hint="empty: the base model's size" />
        <Field label="Batch size" name="batch_size" type="number" min="1" max="64" value={f.batch_size}
          onInput={set('batch_size')} error={error} />
        <Field label="Repeats" name="repeats" type="number" min="1" value={f.repeats} onInput={set('repeats')}
          error={error} />
        {RATES[f.method].map(([part, dflt]) => (
          <Field key={part} label={`Learning rate (${part.replace('_', ' ')})`} name={`learning_rates.${part}`}
            type="number" step="any" min="0" value={f.rates[part] ?? ''} onInput={setRate(part)} error={error}
            hint={dflt ? `empty: ${dflt}` : 'empty: the unet’s'} />
        ))}
      </div>
      <div class="row">
        <Select label="LR schedule" name="lr_scheduler" value={f.lr_scheduler} onInput={set('lr_scheduler')}
          options={SCHEMA.choices.lr_scheduler} error={error} />
        <Field label="Seed" name="seed" type="number" min="0" value={f.seed} onInput={set('seed')} error={error} />
        <Field label="Checkpoint every" name="checkpoint_every" type="number" min="0" value={f.checkpoint_every}
          onInput={set('checkpoint_every')} error={error} hint="steps; 0: only when stopped" />
        <Checkbox label="Mirror images at random" name="flip" checked={f.flip} onInput={set('flip')} />
      </div>
      <Field label="GPU pool" name="pool" value={f.pool} onInput={set('pool')} error={error} list="training-pools"
        hint="empty: your default pool" autocomplete="off" />
      <datalist id="training-pools">{pools.map((p) => <option key={p} value={p} />)}</datalist>
      <Field label="Caption of images without one" name="default_caption" value={f.default_caption}
        onInput={set('default_caption')} error={error} />
      <fieldset>
        <legend>Sample images</legend>
        <TextArea label="Sample prompts" name="samples.prompts" value={f.sample_prompts} rows={2}
          onInput={set('sample_prompts')} error={error} hint="one a line; empty: no samples" />
        <div class="row">
          <Field label="Sample every" name="samples.every" type="number" min="0" value={f.sample_every}
            onInput={set('sample_every')} error={error} hint="steps; 0: only at the end" />
          <Field label="Sample steps" name="samples.steps" type="number" min="1" max="150" value={f.sample_steps}
            onInput={set('sample_steps')} error={error} />
        </div>
      </fieldset>
      <FormError error={error} claimed={['method', 'base_model', 'dataset', 'name', 'max_steps', 'resolution',
        'batch_size', 'repeats', 'learning_rates', 'lr_scheduler', 'seed', 'checkpoint_every', 'default_caption',
        'samples', 'lora', 'dreambooth', 'textual_inversion', 'hypernetwork', 'pool']} />
      <button type="submit" class="primary" disabled={busy}>{busy ? 'Starting…' : 'Start training'}</button>
    </form>
  );
}
