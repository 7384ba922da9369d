import { useCallback, useSyncExternalStore } from 'react';

/** Up to this width the console lays itself out for a phone (styles.css uses the same). */
export const PHONE = '(max-width: 700px)';

/** Whether the window matches `query` now, redrawn when that changes (a phone turned, a window resized). */
export function useMediaQuery(query: string): boolean {
  const subscribe = useCallback(
    (onChange: () => void) => {
      const list = window.matchMedia(query);
      list.addEventListener('change', onChange);
      return () => list.removeEventListener('change', onChange);
    },
    [query],
  );
  return useSyncExternalStore(subscribe, () => window.matchMedia(query).matches);
}
