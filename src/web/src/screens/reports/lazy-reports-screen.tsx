import { Component, lazy, Suspense, type ReactNode } from 'react';
import { Loading } from '../../ui/components.js';

// The dashboard and its chart library are a chunk of their own, fetched the first time it
// opens: the case screens never load them.
const ReportsScreen = lazy(() => import('./reports-screen.js').then((module) => ({ default: module.ReportsScreen })));

export function LazyReportsScreen({ search }: { search: string }) {
  return (
    <ChunkFailure>
      <Suspense fallback={<Loading label="Loading the reports…" />}>
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
    return (
      <section className="page">
        <h1>Reports</h1>
        <div className="alert alert-error" role="alert">
          The reports could not be loaded. Check your connection, then{' '}
          <button type="button" className="button-link" onClick={() => window.location.reload()}>
            reload the page
          </button>
          .
        </div>
      </section>
    );
  }
}
