import i18next from 'i18next';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client.js';
import type { ConsoleLanguage, User } from '../api/types.js';
import { CONSOLE_LANGUAGES, isConsoleLanguage, LANGUAGE_NAMES, preferredLanguage } from '../i18n/languages.js';
import { changeLanguage } from '../i18n/setup.js';
import { useApp } from '../session.js';
import { ErrorAlert, SuccessAlert } from '../ui/components.js';
import { SelectField } from '../ui/fields.js';
import { useRequest } from '../ui/use-request.js';

/** The value of the "follow the browser" choice; any other value is a language code. */
const BROWSER = '';

/**
 * My console language (DESIGN.md §11): stored on my account, so it follows me to another
 * browser; until I choose, the console speaks my browser's language. The change shows at once.
 */
export function LanguageCard() {
  const { t } = useTranslation();
  const { session } = useApp();
  const [chosen, setChosen] = useState<ConsoleLanguage | null>(session.user.language);
  const [done, setDone] = useState<string | null>(null);
  const { busy, error, run } = useRequest();
  const browserLanguage = preferredLanguage(navigator.languages);

  const choose = (value: string) => {
    const language = isConsoleLanguage(value) ? value : null;
    setDone(null);
    void run(async () => {
      const user = await api<User>('PATCH', '/users/me', { language });
      setChosen(user.language);
      await changeLanguage(user.language ?? browserLanguage);
      // i18next's own `t`, not this render's: the notice is in the language just chosen.
      setDone(i18next.t('common:language.saved'));
    });
  };

  return (
    <section className="card" aria-labelledby="language-title">
      <h2 id="language-title">{t('language.title')}</h2>
      <p className="muted">{t('language.intro')}</p>
      <ErrorAlert error={error} />
      <SuccessAlert message={done} />
      <SelectField
        label={t('language.field')}
        value={chosen ?? BROWSER}
        disabled={busy}
        onChange={(event) => choose(event.target.value)}
        options={[
          { value: BROWSER, label: t('language.browser', { name: LANGUAGE_NAMES[browserLanguage] }) },
          ...CONSOLE_LANGUAGES.map((code) => ({ value: code, label: LANGUAGE_NAMES[code] })),
        ]}
      />
    </section>
  );
}

/**
 * The language of the login screen, for someone whose browser speaks another: kept in this
 * browser only, as nobody is signed in; signed in, the user's own choice wins.
 */
export function LoginLanguage() {
  const { t, i18n } = useTranslation();
  const shown = isConsoleLanguage(i18n.resolvedLanguage) ? i18n.resolvedLanguage : 'en';
  return (
    <label className="login-language">
      <span className="visually-hidden">{t('language.title')}</span>
      <select value={shown} onChange={(event) => isConsoleLanguage(event.target.value) && void changeLanguage(event.target.value)}>
        {CONSOLE_LANGUAGES.map((code) => (
          <option key={code} value={code} lang={code}>
            {LANGUAGE_NAMES[code]}
          </option>
        ))}
      </select>
    </label>
  );
}
