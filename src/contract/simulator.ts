import { Type, type Static } from '@sinclair/typebox';
import { DIRECTIONS, MESSAGE_STATUSES } from '../domain/message-status.js';
import { StringEnum } from './common.js';

/** The phone simulator of sandbox numbers: a text from a pretend phone, and that phone's conversation. */
export const SimulatorSend = Type.Object(
  { from: Type.String({ minLength: 3, maxLength: 40 }), text: Type.String({ maxLength: 1600 }) },
  { additionalProperties: false },
);
export type SimulatorSend = Static<typeof SimulatorSend>;
export const SimulatorSent = Type.Object({ id: Type.String() });
export type SimulatorSent = Static<typeof SimulatorSent>;
export const SimulatorQuery = Type.Object({ contact: Type.String({ minLength: 3, maxLength: 40 }) });
export const SimulatorMessage = Type.Object({
  id: Type.String(),
  direction: StringEnum(DIRECTIONS),
  text: Type.String(),
  at: Type.String(),
  status: StringEnum(MESSAGE_STATUSES),
});
export type SimulatorMessage = Static<typeof SimulatorMessage>;
export const SimulatorConversation = Type.Object({ items: Type.Array(SimulatorMessage) });
export type SimulatorConversation = Static<typeof SimulatorConversation>;
