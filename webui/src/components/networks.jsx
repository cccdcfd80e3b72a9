// The generate page's prompt helpers: a searchable, keyboard-usable picker of the user's LoRAs (<lora:name:1>),
// embeddings (their word: the name without .safetensors, as admission/prompts.py matches it) and hypernetworks
// (<hypernet:name:1>) from GET /v1/models?kind=..., inserted into the prompt at the cursor; and the user's saved
// styles (GET /v1/me/settings `styles`), chosen as the request's `styles` field (the API merges them).
// The listbox follows the WAI-ARIA combobox pattern: arrows move, Enter picks, Escape closes.
import { useId, useMemo, useState } from 'preact/hooks';
import { api } from '../api.js';
import { userSettings } from '../settings-cache.js';
import './networks.css';

const KINDS = [
  { value: 'lora', label: 'LoRA', token: (m) => `<lora:${m.name}:1>` },
  { value: 'embedding', label: 'Embedding', token: (m) => m.name.replace(/\.safetensors$/, '') },
  { value: 'hypernetwork', label: 'Hypernetwork', token: (m) => `<hypernet:${m.name}:1>` },
  { value: 'style', label: 'Style' },
];
const SHOWN = 30; // options listed at once; typing narrows them

/** `text` with `token` put at `at` (a caret offset; null: the end), spaced from its neighbours, and the caret
 * offset just after it: {text, caret}. */
export function insertAt(text, at, token) {
  const pos = at == null || at > text.length ? text.length : at;
  const before = text.slice(0, pos);
  const after = text.slice(pos);
  const lead = before && !/[\s,(]$/.test(before) ? ' ' : '';
  const tail = after && !/^[\s,)]/.test(after) ? ' ' : '';
  const head = `${before}${lead}${token}`;
  return { text: `${head}${tail}${after}`, caret: head.length };
}

/** `base`: the chosen checkpoint's base (only networks for it are listed), or null when not known.
 * `onInsert(token)`: put a token into the prompt; `styles`/`onStyles(names)`: the chosen saved styles. */
export function NetworkPicker({ base, onInsert, styles, onStyles }) {
  const id = useId();
  const [kind, setKind] = useState('lora');
  const [query, setQuery] = useState('');
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const [models, setModels] = useState({ lora: [], embedding: [], hypernetwork: [] });
  const [saved, setSaved] = useState([]);
  const [error, setError] = useState(null);
  const [loaded, setLoaded] = useState(false);

  // the lists load when the picker is first used, not with the page (which already asks for much on opening)
  const load = () => {
    if (loaded) return;
    setLoaded(true);
    for (const k of ['lora', 'embedding', 'hypernetwork']) {
      api(`/v1/models?kind=${k}`).then((list) => setModels((m) => ({ ...m, [k]: list.items })), setError);
    }
    userSettings().then((s) => setSaved(s.styles || []), setError);
  };

  const options = useMemo(() => {
    const needle = query.trim().toLowerCase();
    const items = kind === 'style'
      ? saved.filter((s) => !styles.includes(s.name)).map((s) => ({ key: s.name, label: s.name, style: s }))
      : models[kind].filter((m) => m.status === 'ready' && (!base || m.base === base))
        .map((m) => ({ key: m.id, label: m.name, detail: m.base, model: m }));
    return items.filter((o) => !needle || o.label.toLowerCase().includes(needle)).slice(0, SHOWN);
  }, [kind, query, models, saved, styles, base]);

  const pick = (option) => {
    if (!option) return;
    if (option.style) onStyles([...styles, option.style.name]);
    else onInsert(KINDS.find((k) => k.value === kind).token(option.model));
    setQuery('');
    setOpen(false);
    setActive(0);
  };
  const onKeyDown = (e) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      setOpen(true);
      const step = e.key === 'ArrowDown' ? 1 : -1;
      setActive((a) => (options.length ? (a + step + options.length) % options.length : 0));
    } else if (e.key === 'Enter') {
      e.preventDefault(); // never submits the form
      if (open || query) pick(options[active]);
    } else if (e.key === 'Escape') {
      setOpen(false);
    }
  };
  const listId = `${id}-list`;
  const optionId = (i) => `${id}-opt-${i}`;
  const kindLabel = KINDS.find((k) => k.value === kind).label;

  return (
    <fieldset class="networks">
      <legend>Extra networks and styles</legend>
      <div class="row">
        <div class="field">
          <label for={`${id}-kind`}>Kind</label>
          <select id={`${id}-kind`} value={kind} onFocus={load} onChange={(e) => { setKind(e.currentTarget.value); setActive(0); }}>
            {KINDS.map((k) => <option key={k.value} value={k.value}>{k.label}</option>)}
          </select>
        </div>
        <div class="field combo">
          <label for={`${id}-search`}>Find a {kindLabel.toLowerCase()}</label>
          <input id={`${id}-search`} type="search" role="combobox" autocomplete="off" value={query}
            aria-expanded={open} aria-controls={listId} aria-autocomplete="list"
            aria-activedescendant={open && options.length ? optionId(active) : undefined}
            onInput={(e) => { setQuery(e.currentTarget.value); setOpen(true); setActive(0); }}
            onFocus={() => { load(); setOpen(true); }} onBlur={() => setTimeout(() => setOpen(false), 150)}
            onKeyDown={onKeyDown} />
          {open && (
            <ul id={listId} role="listbox" class="combo-list" aria-label={`${kindLabel} choices`}>
              {options.length === 0 && <li class="empty" role="presentation">None {query ? 'match' : 'yet'}.</li>}
              {options.map((o, i) => (
                <li key={o.key} id={optionId(i)} role="option" aria-selected={i === active}
                  onMouseDown={(e) => { e.preventDefault(); pick(o); }}>
                  {o.label}{o.detail && <small class="hint"> {o.detail}</small>}
                </li>
              ))}
            </ul>
          )}
        </div>
      </div>
      {error && <small class="error" role="alert">{error.message}</small>}
      {styles.length > 0 && (
        <ul class="chips" aria-label="Chosen styles">
          {styles.map((name) => (
            <li key={name} data-testid="style-chip">
              {name}
              <button type="button" class="link" aria-label={`Remove style ${name}`}
                onClick={() => onStyles(styles.filter((s) => s !== name))}>×</button>
            </li>
          ))}
        </ul>
      )}
    </fieldset>
  );
}
