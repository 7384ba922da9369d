import { Trans, useTranslation } from 'react-i18next';
import type { Session } from '../api/types.js';
import { Notice } from '../ui/components.js';
import { TwoFactorCard } from './two-factor-card.js';

/**
 * Where a user lands whom the organisation's policy asks for two-factor sign-in before they
 * have set it up: every other screen would be refused until they do.
 */
export function EnrolmentRequiredScreen({
  session,
  onEnrolled,
  onLogout,
}: {
  session: Session;
  onEnrolled: () => void;
  onLogout: () => void;
}) {
  const { t } = useTranslation('account');
  return (
    <main id="main" className="main">
      <section className="page" aria-labelledby="enrolment-title">
        <h1 id="enrolment-title">{t('enrolment.title')}</h1>
        <Notice tone="warning">
          {/* <bdi>: the organisation's name reads in its own direction inside the sentence. */}
          <Trans t={t} i18nKey="enrolment.notice" values={{ organisation: session.organisation.name }} components={{ name: <bdi /> }} />
        </Notice>
        <TwoFactorCard enabled={false} onEnabled={onEnrolled} />
        <button type="button" className="button-quiet" onClick={onLogout}>
          {t('enrolment.logOut')}
        </button>
      </section>
    </main>
  );
}
