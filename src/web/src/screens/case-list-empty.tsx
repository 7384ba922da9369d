import { Trans, useTranslation } from 'react-i18next';
import { api, query } from '../api/client.js';
import { sameId, type CaseSummary, type Page, type PhoneNumber } from '../api/types.js';
import { paths } from '../router.js';
import { useLoad } from '../ui/use-load.js';

/**
 * An empty list says whether the survey has no cases at all, and then how to make one: a
 * newcomer texts the survey's sandbox number from the phone simulator.
 */
export function EmptyList({ surveyId, filtered, waiting }: { surveyId: string; filtered: boolean; waiting: boolean }) {
  const { t } = useTranslation('cases');
  const { data: survey } = useLoad(
    async () => {
      try {
        const [cases, numbers] = await Promise.all([
          api<Page<CaseSummary>>('GET', `/surveys/${encodeURIComponent(surveyId)}/records${query({ status: 'all', limit: 1 })}`),
          api<Page<PhoneNumber>>('GET', '/numbers').catch(() => ({ items: [] as PhoneNumber[], nextCursor: null })),
        ]);
        const sandbox = numbers.items.find((n) => n.provider === 'sandbox' && sameId(n.surveyId, surveyId)) ?? null;
        return { hasCases: cases.items.length > 0, sandbox };
      } catch {
        return { hasCases: true, sandbox: null };
      }
    },
    [surveyId, filtered],
    { keepPreviousData: true },
  );

  if (!survey || survey.hasCases) {
    if (waiting) return <p className="empty">{t('empty.waiting')}</p>;
    return <p className="empty">{filtered ? t('empty.filtered') : t('empty.none')}</p>;
  }
  return (
    <div className="empty">
      <p>{t('empty.noCasesYet')}</p>
      {survey.sandbox && (
        <p>
          <Trans t={t} i18nKey="empty.sandbox" components={{ anchor: <a href={paths.simulator(survey.sandbox.id)} /> }} />
        </p>
      )}
    </div>
  );
}
