import { Type, type Static } from '@sinclair/typebox';
import { ALERT_LEVELS } from '../domain/time-rules.js';
import { Nullable, Time, listOf } from './common.js';

/** One of my alerts (DESIGN.md §8, §13 "alerts (mine)"): a case that waited past a survey's threshold. */
export const Alert = Type.Object({
  id: Type.String(),
  caseNumber: Type.Integer(),
  surveyId: Type.String(),
  /** 1: the holder, or every analyst when nobody holds the case; 2: the admins. */
  level: Type.Union(ALERT_LEVELS.map((level) => Type.Literal(level))),
  /** When the alert fired. */
  at: Time,
  /** How long the case had waited then, in whole minutes of wall-clock time. */
  waitedMinutes: Type.Integer(),
  readAt: Nullable(Time),
});
export type Alert = Static<typeof Alert>;

export const AlertList = Type.Composite([listOf(Alert), Type.Object({ unread: Type.Integer({ minimum: 0 }) })]);
export type AlertList = Static<typeof AlertList>;

export const AlertListQuery = Type.Object(
  {
    unread: Type.Optional(Type.Boolean()),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);
export type AlertListQuery = Static<typeof AlertListQuery>;

/** `POST /alerts/read`: every one of my alerts is read now. */
export const AlertsRead = Type.Object({ unread: Type.Integer({ minimum: 0 }) });
export type AlertsRead = Static<typeof AlertsRead>;
