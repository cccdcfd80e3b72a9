// Light and dark themes: CSS variables under [data-theme] on <html> (style.css); the choice is kept in
// localStorage, and without one the system's preference decides.
const KEY = 'easel-theme';

export function currentTheme() {
  const saved = localStorage.getItem(KEY);
  if (saved === 'light' || saved === 'dark') return saved;
  return window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

export function applyTheme(theme = currentTheme()) {
  document.documentElement.dataset.theme = theme;
}

export function toggleTheme() {
  const next = currentTheme() === 'dark' ? 'light' : 'dark';
  localStorage.setItem(KEY, next);
  applyTheme(next);
  return next;
}
