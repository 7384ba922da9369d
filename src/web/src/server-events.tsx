import { createContext, useCallback, useContext, useEffect, useEffectEvent, useMemo, useRef, useState, type ReactNode } from 'react';
import type { ServerEvent, ServerEventType } from './api/types.js';

/**
 * One EventSource on /api/v1/events for the whole console. Screens subscribe with
 * `useServerEvents`; after a reconnect every subscriber hears a `resync` so it can refetch
 * what it may have missed while the stream was down.
 */
export type ConsoleEvent = ServerEvent | { type: 'resync' };
type Listener = (event: ConsoleEvent) => void;
export type StreamState = 'connecting' | 'live' | 'reconnecting';

interface EventsContextValue {
  subscribe: (listener: Listener) => () => void;
  state: StreamState;
}

const EventsContext = createContext<EventsContextValue | null>(null);
const EVENT_TYPES: ServerEventType[] = [
  'record.created',
  'record.updated',
  'message.added',
  'message.status',
  'media.updated',
  'labels.changed',
  'alert.created',
];

export function ServerEventsProvider({ children }: { children: ReactNode }) {
  const listeners = useRef(new Set<Listener>());
  const [state, setState] = useState<StreamState>('connecting');

  useEffect(() => {
    let source: EventSource | null = null;
    let retry: number | undefined;
    let wasDown = false;
    const dispatch = (event: ConsoleEvent) => {
      for (const listener of [...listeners.current]) listener(event);
    };
    const onMessage = (message: MessageEvent<string>) => {
      const event = parseEvent(message.data);
      if (event) dispatch(event);
    };
    const connect = () => {
      source = new EventSource('/api/v1/events', { withCredentials: true });
      source.onopen = () => {
        setState('live');
        if (wasDown) dispatch({ type: 'resync' });
        wasDown = false;
      };
      source.onerror = () => {
        wasDown = true;
        setState('reconnecting');
        // The browser retries a dropped stream itself, but gives up on an error status
        // (a restarting server, a proxy's 502): then reconnect by hand.
        if (source?.readyState === EventSource.CLOSED) {
          source.close();
          window.clearTimeout(retry);
          retry = window.setTimeout(connect, 5000);
        }
      };
      for (const type of EVENT_TYPES) source.addEventListener(type, onMessage);
      source.onmessage = onMessage;
    };
    connect();
    return () => {
      window.clearTimeout(retry);
      source?.close();
    };
  }, []);

  const subscribe = useCallback((listener: Listener) => {
    listeners.current.add(listener);
    return () => {
      listeners.current.delete(listener);
    };
  }, []);
  const value = useMemo(() => ({ subscribe, state }), [subscribe, state]);

  return <EventsContext.Provider value={value}>{children}</EventsContext.Provider>;
}

function parseEvent(data: string): ServerEvent | null {
  try {
    const parsed = JSON.parse(data) as Record<string, unknown> | null;
    if (typeof parsed?.type !== 'string') return null;
    const { caseNumber } = parsed;
    return {
      type: parsed.type as ServerEventType,
      caseNumber: typeof caseNumber === 'number' ? caseNumber : typeof caseNumber === 'string' && caseNumber ? Number(caseNumber) : null,
      surveyId: idOrNull(parsed.surveyId),
      messageId: idOrNull(parsed.messageId),
    };
  } catch {
    return null;
  }
}

function idOrNull(value: unknown): string | null {
  if (typeof value === 'string') return value;
  return typeof value === 'number' ? String(value) : null;
}

/** Calls `listener` for every server event; the latest listener is always used. */
export function useServerEvents(listener: Listener): void {
  const subscribe = useContext(EventsContext)?.subscribe;
  const onEvent = useEffectEvent(listener);
  useEffect(() => {
    if (!subscribe) return;
    return subscribe((event) => onEvent(event));
  }, [subscribe]);
}

export function useStreamState(): StreamState {
  return useContext(EventsContext)?.state ?? 'connecting';
}
