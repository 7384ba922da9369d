import { CONSOLE_EVENT_TYPES, type ConsoleEventType } from '../domain/change-events.js';

/** `GET /events`: server-sent events, one per committed change the console shows. */
export { CONSOLE_EVENT_TYPES as SERVER_EVENT_TYPES };
export type ServerEventType = ConsoleEventType;

export interface ServerEvent {
  type: ServerEventType;
  caseNumber: number | null;
  surveyId: string | null;
  messageId: string | null;
}
