import { Type, type Static } from '@sinclair/typebox';
import { MAX_SESSION_IDLE_MINUTES, MIN_SESSION_IDLE_MINUTES, TWO_FACTOR_POLICIES } from '../domain/sign-in.js';
import { OneOf } from './common.js';

/** `GET, PATCH /organisation` (DESIGN.md §13 "organisation settings"): read by every member, changed by admins. */
export const Organisation = Type.Object({
  id: Type.String(),
  name: Type.String(),
  /** Analysts and viewers never receive a full contact number; admins do. */
  maskContacts: Type.Boolean(),
  requireTwoFactor: OneOf(TWO_FACTOR_POLICIES),
  /** A session unused this long ends. */
  sessionIdleMinutes: Type.Integer(),
});
export type Organisation = Static<typeof Organisation>;

export const OrganisationPatch = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    maskContacts: Type.Optional(Type.Boolean()),
    requireTwoFactor: Type.Optional(OneOf(TWO_FACTOR_POLICIES)),
    sessionIdleMinutes: Type.Optional(Type.Integer({ minimum: MIN_SESSION_IDLE_MINUTES, maximum: MAX_SESSION_IDLE_MINUTES })),
  },
  { additionalProperties: false },
);
export type OrganisationPatch = Static<typeof OrganisationPatch>;
