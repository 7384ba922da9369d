import { createContext, useContext } from 'react';
import type { Session, Survey } from './api/types.js';

export interface AppContextValue {
  session: Session;
  surveys: Survey[];
  reloadSurveys: () => Promise<void>;
  logout: () => Promise<void>;
}

export const AppContext = createContext<AppContextValue | null>(null);

export function useApp(): AppContextValue {
  const value = useContext(AppContext);
  if (!value) throw new Error('useApp outside a logged-in session');
  return value;
}

export function canWorkCases(session: Session): boolean {
  return session.user.role === 'admin' || session.user.role === 'analyst';
}
