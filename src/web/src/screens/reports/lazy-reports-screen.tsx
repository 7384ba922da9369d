import { Component, lazy, Suspense, type ReactNode } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { Loading } from '../../ui/components.js';

// The dashboard and its chart library are a chunk of their own, fetched the first time it
// opens: the case screens never load them.
const ReportsScreen = lazy(() => import('./reports-screen.js').then((module) => ({ default: module.ReportsScreen })));

export function LazyReportsScreen({ search }: { search: string }) {
  const { t } = useTranslation('reports');
  return (
    <ChunkFailure>
      <Suspense fallback={<Loading label={t('screen.loadingScreen')} />}>
        <ReportsScreen search={search} />
      </Suspense>
    </ChunkFailure>
  );
}

/** A chunk that did not arrive (offline, or a newer version deployed meanwhile) says so instead of blanking the console. */
class ChunkFailure extends Component<{ children: ReactNode }, { failed: boolean }> {
  override state = { failed: false };

  static getDerivedStateFromError(): { failed: boolean } {
    return { failed: true };
  }

  override render() {
    if (!this.state.failed) return this.props.children;
    return <ChunkFailureMessage />;
  }
}

function ChunkFailureMessage() {
  const { t } = useTranslation('reports');
  return (
    <section className="page">
      <h1>{t('screen.title')}</h1>
      <div className="alert alert-error" role="alert">
        <Trans
          t={t}
          i18nKey="screen.chunkFailed"
          components={{ reload: <button type="button" className="button-link" onClick={() => window.location.reload()} /> }}
        />
      </div>
    </section>
  );
}
