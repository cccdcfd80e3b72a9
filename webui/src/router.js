// A hash router (#/page?query): the gateway serves one index.html at `/`, so no server route per page.
import { useEffect, useState } from 'preact/hooks';

export function parseHash(hash = window.location.hash) {
  const [path, query = ''] = hash.replace(/^#\/?/, '').split('?');
  return { path, params: new URLSearchParams(query) };
}

export function navigate(path, params) {
  const query = params ? `?${new URLSearchParams(params)}` : '';
  window.location.hash = `#/${path}${query}`;
}

export function useRoute() {
  const [route, setRoute] = useState(parseHash());
  useEffect(() => {
    const changed = () => setRoute(parseHash());
    window.addEventListener('hashchange', changed);
    return () => window.removeEventListener('hashchange', changed);
  }, []);
  return route;
}
