import { useState, type SyntheticEvent } from 'react';
import { api } from '../api/client.js';
import type { Session } from '../api/types.js';
import { ErrorAlert, Notice } from '../ui/components.js';
import { InputField } from '../ui/fields.js';
import { useRequest } from '../ui/use-request.js';

export function LoginScreen({ notice, onLoggedIn }: { notice?: string; onLoggedIn: (session: Session) => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const { busy, error, run } = useRequest();

  const submit = async (event: SyntheticEvent<HTMLFormElement>) => {
    event.preventDefault();
    // Logging in replaces this screen, so the button stays busy until it is gone.
    await run(async () => onLoggedIn(await api<Session>('POST', '/session', { email: email.trim(), password })), {
      keepBusyOnSuccess: true,
    });
  };

  return (
    <main className="login">
      <form className="login-card" onSubmit={(event) => void submit(event)} aria-labelledby="login-title">
        <div className="brand brand-large">
          <span className="brand-mark" aria-hidden="true" />
          <span className="brand-name">Caseline</span>
        </div>
        <h1 id="login-title">Log in</h1>
        {notice && !error && <Notice tone="warning">{notice}</Notice>}
        <ErrorAlert error={error} />
        <InputField
          id="login-email"
          label="Email"
          type="email"
          autoComplete="username"
          required
          autoFocus
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
        <InputField
          id="login-password"
          label="Password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <button type="submit" className="button-primary button-wide" disabled={busy}>
          {busy ? 'Logging in…' : 'Log in'}
        </button>
      </form>
    </main>
  );
}
