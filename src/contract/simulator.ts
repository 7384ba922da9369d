import { Type, type Static } from '@sinclair/typebox';
import { DIRECTIONS, MESSAGE_STATUSES } from '../domain/message-status.js';
import { Id, StringEnum } from './common.js';
import { Media } from './records.js';

/** The phone simulator of sandbox numbers: a text from a pretend phone, and that phone's conversation. */
export const SimulatorSend = Type.Object(
  {
    from: Type.String({ minLength: 3, maxLength: 40 }),
    text: Type.String({ maxLength: 1600 }),
    /** Uploads (`POST /media`) the phone sends with the text, as a person sends a photo (DESIGN.md §6). */
    media: Type.Optional(Type.Array(Id, { minItems: 1, maxItems: 10 })),
  },
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
  /** The files of both directions: what the phone sent, and what the console sent it. */
  media: Type.Array(Media),
});
export type SimulatorMessage = Static<typeof SimulatorMessage>;
export const SimulatorConversation = Type.Object({ items: Type.Array(SimulatorMessage) });
export type SimulatorConversation = Static<typeof SimulatorConversation>;
