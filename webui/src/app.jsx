// The shell: who is signed in (GET /v1/me with the session cookie), the nav, and the page the hash names.
import { useEffect, useState } from 'preact/hooks';
import { me, onSignedOut, signOut } from './api.js';
import { SignInPage } from './pages/signin.jsx';
import { HOME, ROUTES } from './routes.js';
import { navigate, useRoute } from './router.js';
import { toggleTheme } from './theme.js';
import { allows } from './permissions.js';

export function App() {
  const [user, setUser] = useState(undefined); // undefined: still asking; null: signed out
  const [menu, setMenu] = useState(false); // the nav, folded behind "Menu" on a narrow screen (style.css)
  const route = useRoute();
  useEffect(() => setMenu(false), [route.path]); // a page chosen folds it again

  useEffect(() => {
    me().then(setUser, () => setUser(null));
    return onSignedOut(() => setUser(null));
  }, []);

  if (user === undefined) return <main class="loading" aria-busy="true">Loading…</main>;
  if (user === null) return <SignInPage onSignedIn={setUser} />;

  const visible = ROUTES.filter((r) => !r.needs || allows(user.permissions || [], r.needs));
  const current = visible.find((r) => r.path === route.path) || visible.find((r) => r.path === HOME);
  const Page = current.page;
  const leave = async (everywhere) => {
    try {
      await signOut(everywhere);
    } finally {
      setUser(null);
      navigate(HOME);
    }
  };
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main').focus(); }}>
        Skip to content
      </a>
      <header class="top">
        <strong class="brand">Easel</strong>
        <button type="button" class="menu-toggle" aria-expanded={menu} aria-controls="pages-nav"
          onClick={() => setMenu(!menu)}>{`Menu: ${current.title}`}</button>
        <nav id="pages-nav" aria-label="Pages" class={menu ? 'open' : undefined}>
          {visible.map((r) => (
            <a key={r.path} href={`#/${r.path}`} aria-current={r === current ? 'page' : undefined}
              onClick={() => setMenu(false)}>{r.title}</a>
          ))}
        </nav>
        <span class="who" data-testid="username">{user.username}</span>
        <button type="button" class="ghost" onClick={toggleTheme} aria-label="Switch light or dark theme">◐</button>
        <button type="button" onClick={() => leave(false)}>Sign out</button>
        <button type="button" class="ghost" onClick={() => leave(true)}
          title="End every session of yours: other browsers and devices too">Sign out everywhere</button>
      </header>
      <main id="main" tabIndex={-1}>
        <Page user={user} params={route.params} />
      </main>
    </>
  );
}
