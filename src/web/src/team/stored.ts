import { useSyncExternalStore } from 'react';

/**
 * A value kept in the browser's localStorage or sessionStorage that screens read with
 * `useStored`: every reader redraws when it changes, in this tab or (localStorage) another.
 * Storage that is missing or full (a private window) leaves the value in memory only.
 */
export interface Stored<T> {
  get: () => T;
  set: (next: T | ((current: T) => T)) => void;
  subscribe: (listener: () => void) => () => void;
}

const stores = new Map<string, Stored<unknown>>();

function storageOf(area: 'local' | 'session'): Storage | null {
  try {
    return area === 'local' ? window.localStorage : window.sessionStorage;
  } catch {
    return null;
  }
}

/**
 * The store of `key` (one per key for the whole console). `parse` turns the stored text (null
 * when there is none) into the value; with `keepFirst`, a value made up because nothing was
 * stored is written at once, so it stays the same across reloads.
 */
export function stored<T>(
  area: 'local' | 'session',
  key: string,
  parse: (raw: string | null) => T,
  options: { keepFirst?: boolean } = {},
): Stored<T> {
  const id = `${area}:${key}`;
  const existing = stores.get(id);
  if (existing) return existing as Stored<T>;
  const storage = storageOf(area);
  const read = () => {
    try {
      return storage?.getItem(key) ?? null;
    } catch {
      return null;
    }
  };
  const write = (value: T) => {
    try {
      storage?.setItem(key, JSON.stringify(value));
    } catch {
      // Full or refused: the value lives on in memory for this page.
    }
  };
  const raw = read();
  let value = parse(raw);
  if (raw === null && options.keepFirst) write(value);
  const listeners = new Set<() => void>();
  const notify = () => {
    for (const listener of [...listeners]) listener();
  };
  if (area === 'local') {
    window.addEventListener('storage', (event) => {
      if (event.key !== key) return;
      value = parse(event.newValue);
      notify();
    });
  }
  const store: Stored<T> = {
    get: () => value,
    set: (next) => {
      const updated = typeof next === 'function' ? (next as (current: T) => T)(value) : next;
      if (Object.is(updated, value)) return;
      value = updated;
      write(value);
      notify();
    },
    subscribe: (listener) => {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
  stores.set(id, store as Stored<unknown>);
  return store;
}

export function useStored<T>(store: Stored<T>): T {
  return useSyncExternalStore(store.subscribe, store.get);
}

/** Reads stored JSON as an object, or null when it is missing or not an object. */
export function parseObject(raw: string | null): Record<string, unknown> | null {
  if (!raw) return null;
  try {
    const value = JSON.parse(raw) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
