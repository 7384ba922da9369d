import { useCallback, useState } from 'react';
import { errorMessage } from '../api/client.js';

interface RunOptions {
  /**
   * Stay busy after success, for a form whose screen is about to go away (login, a save
   * that navigates): its button must not come back to life for a moment first.
   */
  keepBusyOnSuccess?: boolean;
}

/**
 * The state every form that sends one request keeps: busy while it runs (buttons disabled,
 * "Saving…"), and the error message of the last attempt, cleared when the next one starts.
 */
export function useRequest() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const run = useCallback(async (task: () => Promise<void>, { keepBusyOnSuccess = false }: RunOptions = {}) => {
    setBusy(true);
    setError(null);
    try {
      await task();
      if (!keepBusyOnSuccess) setBusy(false);
    } catch (e) {
      setError(errorMessage(e));
      setBusy(false);
    }
  }, []);

  return { busy, error, setError, run };
}
