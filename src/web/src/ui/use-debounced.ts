import { useEffect, useState } from 'react';

/** `value` once it has stayed the same for `ms`: a filter being typed is loaded once, when the typing stops. */
export function useDebounced<T>(value: T, ms: number): T {
  const [current, setCurrent] = useState(value);
  useEffect(() => {
    const timer = window.setTimeout(() => setCurrent(value), ms);
    return () => window.clearTimeout(timer);
  }, [value, ms]);
  return current;
}
