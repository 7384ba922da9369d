import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { errorMessage } from '../api/client.js';
import type { ServerEvent } from '../api/types.js';
import { useServerEvents } from '../server-events.js';

/** Live events come in bursts (a batch of texts, statuses after a send): one reload a moment after the last. */
const EVENT_SETTLE_MS = 100;

/** The plain values (ids, filters) a load depends on: when one changes, the data is loaded again. */
export type LoadDeps = readonly (string | number | boolean | null | undefined)[];

export interface LoadContext<T> {
  /** The data shown now: the last answer, or what `update` made of it. */
  shown: T | undefined;
  /** True when the same data is loaded again (a live event, `reload()`); false for new deps. */
  again: boolean;
}

export interface LoadOptions {
  /**
   * The live server events after which the data may have changed. A screen that names any
   * also reloads after the event stream reconnects, for what it may have missed meanwhile.
   */
  reloadOn?: (event: ServerEvent) => boolean;
  /** Keep showing the answer for the previous deps until the new deps answer (a filtered list). */
  keepPreviousData?: boolean;
  /** Wait this long before loading for new deps, so a value still being typed is loaded once. */
  delayMs?: number;
}

export interface Loaded<T> {
  /** The answer for the current deps (or the previous ones, with `keepPreviousData`); undefined until then. */
  data: T | undefined;
  /** Why the latest load failed; cleared by the next answer. */
  error: string | null;
  /** No answer (data or error) for the current deps yet. */
  loading: boolean;
  /** Loads again now; resolves once the answer is shown. */
  reload: () => Promise<void>;
  /** Changes the data shown, e.g. to an action's answer. A load already running still lands after it. */
  update: (change: (data: T) => T) => void;
  /** Fetches more of the same data (a next page) and merges it in, unless a newer load started meanwhile. */
  extend: <U>(fetch: () => Promise<U>, merge: (data: T, more: U) => T) => Promise<void>;
}

interface State<T> {
  data: T | undefined;
  /** The deps `data` answers. */
  dataKey: string | null;
  error: string | null;
  /** The deps the latest answer or failure was for. */
  answeredKey: string | null;
}

/**
 * The one way a screen reads data (STYLE.md habit 12): loads when `deps` change, reloads on
 * the live events the screen names, and shows only the newest load's answer, so a slow
 * answer for old filters never replaces a newer one. State is set only when an answer
 * arrives. Forms that send one request use `useRequest` instead. A loader that reads its
 * context names the data's type (`useLoad<Page<CaseSummary>>(…)`): TypeScript cannot infer
 * it from a function whose parameter depends on it.
 */
export function useLoad<T>(load: (context: LoadContext<T>) => Promise<T>, deps: LoadDeps, options: LoadOptions = {}): Loaded<T> {
  const { reloadOn, keepPreviousData = false, delayMs = 0 } = options;
  const key = JSON.stringify(deps);
  const [state, setState] = useState<State<T>>({ data: undefined, dataKey: null, error: null, answeredKey: null });
  // The latest render's loader and deps, for loads started from timers and handlers.
  const latest = useRef({ load, key });
  useLayoutEffect(() => {
    latest.current = { load, key };
  });
  const shown = useRef<T | undefined>(undefined);
  // Counts loads started; an answer is shown only if no load started after its own.
  const newest = useRef(0);

  const start = useCallback((again: boolean): Promise<void> => {
    const id = ++newest.current;
    const { load, key } = latest.current;
    return load({ shown: shown.current, again }).then(
      (data) => {
        if (id !== newest.current) return;
        shown.current = data;
        setState({ data, dataKey: key, error: null, answeredKey: key });
      },
      (error: unknown) => {
        if (id !== newest.current) return;
        setState((s) => ({ ...s, error: errorMessage(error), answeredKey: key }));
      },
    );
  }, []);

  useEffect(() => {
    if (delayMs <= 0) {
      void start(false);
      return;
    }
    const timer = window.setTimeout(() => void start(false), delayMs);
    return () => window.clearTimeout(timer);
  }, [key, delayMs, start]);

  const eventTimer = useRef<number | undefined>(undefined);
  useServerEvents((event) => {
    if (!reloadOn || (event.type !== 'resync' && !reloadOn(event))) return;
    window.clearTimeout(eventTimer.current);
    eventTimer.current = window.setTimeout(() => void start(true), EVENT_SETTLE_MS);
  });
  useEffect(() => () => window.clearTimeout(eventTimer.current), []);

  const reload = useCallback(() => start(true), [start]);

  const update = useCallback((change: (data: T) => T) => {
    if (shown.current === undefined) return;
    const data = change(shown.current);
    shown.current = data;
    setState((s) => ({ ...s, data }));
  }, []);

  const extend = useCallback(
    <U>(fetch: () => Promise<U>, merge: (data: T, more: U) => T): Promise<void> => {
      const id = newest.current;
      return fetch().then(
        (more) => {
          if (id === newest.current) update((data) => merge(data, more));
        },
        (error: unknown) => {
          if (id === newest.current) setState((s) => ({ ...s, error: errorMessage(error) }));
        },
      );
    },
    [update],
  );

  return {
    data: keepPreviousData || state.dataKey === key ? state.data : undefined,
    error: state.error,
    loading: state.answeredKey !== key,
    reload,
    update,
    extend,
  };
}
