import { useState } from 'preact/hooks';
import { me, signIn } from '../api.js';
import { Field, FormError } from '../components/form.jsx';

export function SignInPage({ onSignedIn }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(username, password);
      onSignedIn(await me());
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main id="main" class="signin">
      <form onSubmit={submit} aria-labelledby="signin-title">
        <h1 id="signin-title">Sign in to Easel</h1>
        <Field label="Username" name="username" value={username} onInput={setUsername} error={error}
          autocomplete="username" required autofocus />
        <Field label="Password" name="password" type="password" value={password} onInput={setPassword}
          error={error} autocomplete="current-password" required />
        <FormError error={error} claimed={['username', 'password']} />
        <button type="submit" disabled={busy}>{busy ? 'Signing in…' : 'Sign in'}</button>
      </form>
    </main>
  );
}
