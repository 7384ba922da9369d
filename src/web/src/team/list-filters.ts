import { useCallback } from 'react';
import { parseObject, stored, useStored } from './stored.js';

/**
 * A screen's state kept for the browser tab (sessionStorage): the case list's filters survive
 * opening a case and coming back, on a phone as beside a case on a wide screen. Stored fields
 * that are missing or of another type than their default take the default.
 */
export function useTabState<T extends Record<string, string | number | boolean>>(
  key: string,
  defaults: T,
): [T, (change: (current: T) => T) => void] {
  const store = stored<T>('session', key, (raw) => {
    const saved = parseObject(raw) ?? {};
    const value = { ...defaults };
    for (const name of Object.keys(defaults) as (keyof T)[]) {
      const candidate = saved[name as string];
      if (typeof candidate === typeof defaults[name]) value[name] = candidate as T[keyof T];
    }
    return value;
  });
  const value = useStored(store);
  const set = useCallback((change: (current: T) => T) => store.set(change), [store]);
  return [value, set];
}
