// Starts the ingest thread (./ingest-thread.ts): registers tsx's loader in the new thread,
// which does not inherit it under every runner (Vitest's included), then loads the
// TypeScript entry.
import { register } from 'tsx/esm/api';

register();
await import('./ingest-worker.ts');
