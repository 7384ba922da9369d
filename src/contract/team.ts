import { Type, type Static } from '@sinclair/typebox';
import { Nullable, Time } from './common.js';

/** Labels and saved replies (DESIGN.md §7). A label on a case is `Label` of ./records.ts. */
const Color = Type.String({ pattern: '^#[0-9a-fA-F]{6}$', description: 'A colour as #rrggbb' });
export const LabelCreate = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 60 }), color: Color },
  { additionalProperties: false },
);
export type LabelCreate = Static<typeof LabelCreate>;
export const LabelPatch = Type.Partial(LabelCreate, { additionalProperties: false });
export type LabelPatch = Static<typeof LabelPatch>;

export const SavedReply = Type.Object({
  id: Type.String(),
  title: Type.String(),
  /** May hold `{case}`, `{contact}` and `{worker}`, filled when the reply is inserted. */
  text: Type.String(),
  language: Nullable(Type.String()),
  updatedAt: Time,
});
export type SavedReply = Static<typeof SavedReply>;
export const SavedReplyCreate = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 200 }),
    text: Type.String({ minLength: 1, maxLength: 5000 }),
    language: Type.Optional(Nullable(Type.String({ minLength: 2, maxLength: 20 }))),
  },
  { additionalProperties: false },
);
export type SavedReplyCreate = Static<typeof SavedReplyCreate>;
export const SavedReplyPatch = Type.Partial(SavedReplyCreate, { additionalProperties: false });
export type SavedReplyPatch = Static<typeof SavedReplyPatch>;
