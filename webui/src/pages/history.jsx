// History: the user's own jobs (GET /v1/jobs), a page at a time, searchable by prompt; each image with its
// infotext, a download, and "send to img2img".
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { Field, FormError } from '../components/form.jsx';
import { TERMINAL, infotext } from '../options.js';
import { navigate } from '../router.js';

export const PAGE_SIZE = 12;
const REFRESH_MS = 3000;

export function HistoryPage() {
  const [query, setQuery] = useState('');
  const [search, setSearch] = useState('');
  const [cursors, setCursors] = useState([null]); // the cursor of each page seen so far; the last is this page's
  const [page, setPage] = useState(null);
  const [open, setOpen] = useState(null); // {job, image} shown with its infotext
  const [error, setError] = useState(null);
  const cursor = cursors[cursors.length - 1];

  const [tick, setTick] = useState(0);
  useEffect(() => {
    const params = new URLSearchParams({ limit: String(PAGE_SIZE) });
    if (cursor) params.set('cursor', cursor);
    if (search) params.set('prompt', search);
    setError(null);
    api(`/v1/jobs?${params}`).then(setPage, setError);
  }, [cursor, search, tick]);
  // while a job on this page is still queued or running, look again every few seconds
  const unfinished = page && page.items.some((job) => !TERMINAL.includes(job.status));
  useEffect(() => {
    if (!unfinished) return undefined;
    const timer = setTimeout(() => setTick((t) => t + 1), REFRESH_MS);
    return () => clearTimeout(timer);
  }, [page]);

  const submit = (e) => {
    e.preventDefault();
    setCursors([null]);
    setSearch(query.trim());
  };
  const images = page ? page.items.flatMap((job) => job.images.map((image) => ({ job, image }))) : [];
  const empty = page && page.items.length === 0;
  return (
    <div class="history">
      <form class="search row" role="search" onSubmit={submit}>
        <Field label="Search prompts" name="prompt" type="search" value={query} onInput={setQuery} error={error} />
        <button type="submit">Search</button>
      </form>
      <FormError error={error} claimed={['prompt']} />
      {empty && <p class="empty">{search ? `No job's prompt contains “${search}”.` : 'No jobs yet.'}</p>}
      <ul class="gallery" aria-label="Images">
        {images.map(({ job, image }) => (
          <li key={`${job.id}-${image.index}`}>
            <button type="button" class="tile" onClick={() => setOpen({ job, image })}
              aria-label={`Open image ${image.index + 1} of: ${job.spec.prompt}`}>
              <img src={image.url} alt="" loading="lazy" data-testid="history-image" />
            </button>
          </li>
        ))}
        {page && page.items.filter((job) => job.images.length === 0).map((job) => (
          <li key={job.id} class="noimage" data-testid="history-job">
            <span class="status">{job.status}</span> {job.spec.prompt}
          </li>
        ))}
      </ul>
      <nav class="pager" aria-label="Pages">
        <button type="button" disabled={cursors.length === 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
          Newer
        </button>
        <span data-testid="page-number">Page {cursors.length}</span>
        <button type="button" disabled={!page || !page.next_cursor}
          onClick={() => setCursors((c) => [...c, page.next_cursor])}>Older</button>
      </nav>
      {open && (
        <section class="detail" aria-label="Image details" data-testid="detail">
          <img src={open.image.url} alt={open.job.spec.prompt} />
          <pre class="infotext" data-testid="infotext">{infotext(open.job, open.image)}</pre>
          <div class="row">
            <a class="button" href={open.image.url} download={`${open.job.id}-${open.image.index}.png`}>Download</a>
            <button type="button" onClick={() => navigate('generate',
              { tab: 'img2img', job: open.job.id, image: open.image.index })}>Send to img2img</button>
            <button type="button" onClick={() => navigate('generate',
              { tab: 'img2img', job: open.job.id, image: open.image.index, mode: 'inpaint' })}>Send to inpaint</button>
            <button type="button" onClick={() => navigate('generate', { tab: 'txt2img', job: open.job.id })}>
              Send to txt2img
            </button>
            <button type="button" onClick={() => navigate('extras', { job: open.job.id, image: open.image.index })}>
              Send to extras
            </button>
            <button type="button" class="ghost" onClick={() => setOpen(null)}>Close</button>
          </div>
        </section>
      )}
    </div>
  );
}
