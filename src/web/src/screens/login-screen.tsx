import { useState, type SyntheticEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../api/client.js';
import type { Session } from '../api/types.js';
import { ErrorAlert, Notice } from '../ui/components.js';
import { InputField } from '../ui/fields.js';
import { LoginLanguage } from './language-card.js';
import { useRequest } from '../ui/use-request.js';

export function LoginScreen({ notice, onLoggedIn }: { notice?: string; onLoggedIn: (session: Session) => void }) {
  const { t } = useTranslation('account');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  // After `two_factor_required`: the password was right, a code is asked for next.
  const [askCode, setAskCode] = useState(false);
  const [code, setCode] = useState('');
  const { busy, error, setError, run } = useRequest();

  const submit = async (event: SyntheticEvent<HTMLFormElement>) => {
    event.preventDefault();
    const outcome = { codeNeeded: false };
    // Logging in replaces this screen, so the button stays busy until it is gone.
    await run(
      async () => {
        const body = { email: email.trim(), password, ...(askCode ? { code: code.trim() } : {}) };
        try {
          onLoggedIn(await api<Session>('POST', '/session', body));
        } catch (e) {
          outcome.codeNeeded = e instanceof ApiError && e.code === 'two_factor_required';
          throw e;
        }
      },
      { keepBusyOnSuccess: true },
    );
    if (outcome.codeNeeded) {
      // Not an error: the password was right, and the next step asks for the code.
      setError(null);
      setAskCode(true);
    }
  };

  const restart = () => {
    setAskCode(false);
    setCode('');
    setPassword('');
  };

  return (
    <main className="login">
      <form className="login-card" onSubmit={(event) => void submit(event)} aria-labelledby="login-title">
        <div className="brand brand-large">
          <span className="brand-mark" aria-hidden="true" />
          <span className="brand-name">Caseline</span>
        </div>
        <h1 id="login-title">{askCode ? t('login.codeTitle') : t('login.title')}</h1>
        {notice && !error && !askCode && <Notice tone="warning">{notice}</Notice>}
        <ErrorAlert error={error} />
        {askCode ? (
          <>
            <p>{t('login.codeIntro')}</p>
            <InputField
              id="login-code"
              label={t('login.code')}
              autoComplete="one-time-code"
              required
              autoFocus
              value={code}
              onChange={(e) => setCode(e.target.value)}
            />
          </>
        ) : (
          <>
            <InputField
              id="login-email"
              label={t('login.email')}
              type="email"
              autoComplete="username"
              required
              autoFocus
              value={email}
              onChange={(e) => setEmail(e.target.value)}
            />
            <InputField
              id="login-password"
              label={t('login.password')}
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          </>
        )}
        <button type="submit" className="button-primary button-wide" disabled={busy}>
          {busy ? t('login.loggingIn') : askCode ? t('login.verify') : t('login.logIn')}
        </button>
        {askCode && (
          <button type="button" className="button-quiet button-wide" onClick={restart} disabled={busy}>
            {t('login.startAgain')}
          </button>
        )}
      </form>
      <LoginLanguage />
    </main>
  );
}
