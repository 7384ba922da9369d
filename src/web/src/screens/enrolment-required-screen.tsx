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
  return (
    <main id="main" className="main">
      <section className="page" aria-labelledby="enrolment-title">
        <h1 id="enrolment-title">Set up two-factor sign-in</h1>
        <Notice tone="warning">
          {session.organisation.name} asks everyone in your role to sign in with a code from an authenticator app as well as a password. Set
          it up to continue; until then the rest of Caseline, and your API tokens, are closed to you.
        </Notice>
        <TwoFactorCard enabled={false} onEnabled={onEnrolled} />
        <button type="button" className="button-quiet" onClick={onLogout}>
          Log out
        </button>
      </section>
    </main>
  );
}
