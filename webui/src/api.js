// The one API client. Every page calls the gateway's /v1 API through `api` (or `eventsOf` for SSE):
// - credentials are the session cookies (HttpOnly: this script never sees a token); writes echo the easel_csrf
//   cookie in X-CSRF-Token (the gateway's double-submit CSRF check);
// - a 401 refreshes the session once (POST /v1/auth/session/refresh) and retries; if that fails too, the
//   listeners of onSignedOut run (the app shows the sign-in page);
// - an error answer {code, message, details} becomes an ApiError whose `field` names the input to blame;
//   429 and 503 carry Retry-After, said in the message.

export class ApiError extends Error {
  constructor(status, body, retryAfter) {
    const details = (body && body.details) || {};
    let message = (body && (body.message || body.detail)) || `request failed (${status})`;
    if (retryAfter != null) message += ` Try again in ${retryAfter} s.`;
    super(message);
    this.status = status;
    this.code = (body && body.code) || 'error';
    this.details = details;
    this.field = details.field || null;
    this.retryAfter = retryAfter;
  }
}

const signedOutListeners = new Set();
export function onSignedOut(listener) {
  signedOutListeners.add(listener);
  return () => signedOutListeners.delete(listener);
}

function csrfToken() {
  const pair = document.cookie.split('; ').find((c) => c.startsWith('easel_csrf='));
  return pair ? decodeURIComponent(pair.slice('easel_csrf='.length)) : '';
}

async function send(path, { method = 'GET', json, body, headers = {} }) {
  const init = { method, credentials: 'same-origin', headers: { Accept: 'application/json', ...headers } };
  if (method !== 'GET' && method !== 'HEAD') init.headers['X-CSRF-Token'] = csrfToken();
  if (json !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(json);
  } else if (body !== undefined) {
    init.body = body;
  }
  return fetch(path, init);
}

async function failure(response) {
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  const retry = response.headers.get('Retry-After');
  return new ApiError(response.status, body, retry != null && (response.status === 429 || response.status === 503)
    ? Number(retry) : null);
}

let refreshing = null;
export async function refreshSession() {
  // one refresh at a time: each refresh token works once
  refreshing = refreshing || send('/v1/auth/session/refresh', { method: 'POST' }).finally(() => {
    refreshing = null;
  });
  const response = await refreshing;
  return response.ok;
}

/** Call the API; resolves to the parsed JSON (or null for 204, or the Response with `raw`), throws ApiError. */
export async function api(path, options = {}) {
  let response = await send(path, options);
  if (response.status === 401 && !path.startsWith('/v1/auth/session')) {
    if (await refreshSession()) response = await send(path, options);
    if (response.status === 401) signedOutListeners.forEach((listener) => listener());
  }
  if (!response.ok) throw await failure(response);
  if (options.raw) return response;
  if (response.status === 204) return null;
  return response.json();
}

export const signIn = (username, password) => api('/v1/auth/session', { method: 'POST', json: { username, password } });
/** Sign out this browser; `everywhere`: end every session of the user (other browsers and token clients too). */
export const signOut = (everywhere = false) => api(`/v1/auth/session${everywhere ? '?everywhere=true' : ''}`,
  { method: 'DELETE' });
export const me = () => api('/v1/me');

/**
 * Follow a job's events (GET /v1/jobs/{id}/events, Server-Sent Events, the cookie as credential).
 * `on(type, data)` gets queued, queue ({queue_position}: while queued, when it changes), starting, processing,
 * progress, succeeded, failed, canceled; returns a closer.
 */
export function eventsOf(jobId, on) {
  const types = ['queued', 'queue', 'starting', 'processing', 'progress', 'succeeded', 'failed', 'canceled'];
  return follow(`/v1/jobs/${encodeURIComponent(jobId)}/events`, types, on);
}

/** An SSE stream's events of the given types to `on(type, parsed data, event id)`, closed at the end event; returns a
 * closer. */
function follow(url, types, on) {
  const source = new EventSource(url);
  for (const type of types) {
    source.addEventListener(type, (event) => {
      let data = null;
      try {
        data = JSON.parse(event.data);
      } catch {
        data = null;
      }
      on(type, data, event.lastEventId);
      if (type === 'succeeded' || type === 'failed' || type === 'canceled') source.close();
    });
  }
  source.onerror = () => {
    if (source.readyState === EventSource.CLOSED) on('error', null);
  };
  return () => source.close();
}

/** A File as a data: URL, the form /v1/jobs takes init images in. */
export function dataUrlOf(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

/**
 * Send a File to an upload from POST /v1/models/uploads, calling `onProgress(sent, total)` as bytes go out:
 * XMLHttpRequest, as fetch has no upload progress. The file is PUT to the gateway (which streams it into the object
 * store) with the session cookie and the CSRF token, never POSTed straight to an S3 `upload.form`: the page's CSP
 * (connect-src 'self') allows no other origin. A 401 refreshes the session once and sends again, as `api` does.
 */
export async function uploadFile(upload, file, onProgress) {
  try {
    return await sendFile(upload, file, onProgress);
  } catch (err) {
    if (err.status !== 401 || !(await refreshSession())) throw err;
    return sendFile(upload, file, onProgress);
  }
}

function sendFile(upload, file, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', upload.url);
    xhr.withCredentials = true;
    xhr.setRequestHeader('X-CSRF-Token', csrfToken());
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size);
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(file.size, file.size);
        resolve();
        return;
      }
      let parsed = null;
      try {
        parsed = JSON.parse(xhr.responseText);
      } catch {
        parsed = null;
      }
      const retry = xhr.getResponseHeader('Retry-After');
      reject(new ApiError(xhr.status, parsed, retry != null && xhr.status === 429 ? Number(retry) : null));
    };
    xhr.onerror = () => reject(new ApiError(0, { message: 'the upload did not reach the server' }, null));
    xhr.send(file);
  });
}

/**
 * POST a multipart form (FormData) to `path`, calling `onProgress(sent, total)` as bytes go out (XMLHttpRequest, as
 * fetch has no upload progress); resolves to the parsed JSON answer, throws ApiError. Used by dataset uploads
 * (POST /v1/datasets). A 401 refreshes the session once and sends again, as `api` does.
 */
export async function postForm(path, form, onProgress) {
  try {
    return await sendForm(path, form, onProgress);
  } catch (err) {
    if (err.status !== 401 || !(await refreshSession())) throw err;
    return sendForm(path, form, onProgress);
  }
}

function sendForm(path, form, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    xhr.withCredentials = true;
    xhr.setRequestHeader('X-CSRF-Token', csrfToken());
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(e.loaded, e.total); };
    xhr.onload = () => {
      let parsed = null;
      try {
        parsed = JSON.parse(xhr.responseText);
      } catch {
        parsed = null;
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve(parsed);
        return;
      }
      const retry = xhr.getResponseHeader('Retry-After');
      reject(new ApiError(xhr.status, parsed, retry != null && xhr.status === 429 ? Number(retry) : null));
    };
    xhr.onerror = () => reject(new ApiError(0, { message: 'the upload did not reach the server' }, null));
    xhr.send(form);
  });
}

/**
 * Follow a training's events (GET /v1/trainings/{id}/events, SSE): from its first event (the stream replays them),
 * so `on(type, data, id)` gets every step's `progress` (loss), `sample`, `checkpoint`, `log` (a batch of the trainer's
 * lines; `id` its stream sequence), the status changes, and at the end succeeded, failed or canceled (with the
 * record); returns a closer.
 */
export function trainingEventsOf(trainingId, on) {
  const types = ['queued', 'preparing', 'starting', 'running', 'started', 'progress', 'sample', 'checkpoint',
    'interrupted', 'log', 'succeeded', 'failed', 'canceled'];
  return follow(`/v1/trainings/${encodeURIComponent(trainingId)}/events`, types, on);
}
