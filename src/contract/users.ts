import { Type, type Static } from '@sinclair/typebox';
import { CONSOLE_LANGUAGES } from './languages.js';
import { ROLES } from '../domain/roles.js';
import { Nullable, OneOf, Time } from './common.js';

export const Role = OneOf(ROLES);
export type Role = Static<typeof Role>;
export const ConsoleLanguage = OneOf(CONSOLE_LANGUAGES);
export type ConsoleLanguage = Static<typeof ConsoleLanguage>;

export const User = Type.Object({
  id: Type.String(),
  email: Type.String(),
  name: Type.String(),
  role: Role,
  active: Type.Boolean(),
  createdAt: Time,
  /** Takes auto-assigned cases (set by the user; false until then). */
  available: Type.Boolean(),
  /** Open cases auto-assignment may give this user (set by an admin). */
  capacity: Type.Integer(),
  /** The console language the user chose; null: the console follows the browser's. */
  language: Nullable(ConsoleLanguage),
});
export type User = Static<typeof User>;
/**
 * `GET /colleagues`: the people a case can be handed to — the organisation's active analysts
 * and admins — readable by every signed-in user, so an analyst can hand over. No emails.
 */
export const Colleague = Type.Object({ id: Type.String(), name: Type.String(), role: Role, available: Type.Boolean() });
export type Colleague = Static<typeof Colleague>;
export const UserCreate = Type.Object(
  {
    email: Type.String({ minLength: 3, maxLength: 320 }),
    name: Type.String({ maxLength: 200 }),
    role: Role,
    password: Type.String({ minLength: 1, maxLength: 1000 }),
  },
  { additionalProperties: false },
);
export type UserCreate = Static<typeof UserCreate>;
export const UserPatch = Type.Object(
  {
    name: Type.Optional(Type.String({ maxLength: 200 })),
    role: Type.Optional(Role),
    password: Type.Optional(Type.String({ minLength: 1, maxLength: 1000 })),
    active: Type.Optional(Type.Boolean()),
    capacity: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000 })),
  },
  { additionalProperties: false },
);
export type UserPatch = Static<typeof UserPatch>;

export const Session = Type.Object({
  user: Type.Object({ id: Type.String(), email: Type.String(), name: Type.String(), role: Role, language: Nullable(ConsoleLanguage) }),
  organisation: Type.Object({ id: Type.String(), name: Type.String() }),
  csrfToken: Type.String(),
  /** What this server accepts, for forms to show before a request is refused: the largest upload (`POST /media`). */
  limits: Type.Object({ mediaMaxBytes: Type.Integer() }),
  /**
   * `enabled`: the user signs in with a code. `enrolmentRequired`: the organisation's policy
   * asks for two-factor and the user has not enrolled, so only enrolment is open to them.
   */
  twoFactor: Type.Object({ enabled: Type.Boolean(), enrolmentRequired: Type.Boolean() }),
});
export type Session = Static<typeof Session>;
export const Login = Type.Object({
  email: Type.String({ minLength: 1, maxLength: 320 }),
  password: Type.String({ minLength: 1, maxLength: 1000 }),
  /** A TOTP or recovery code, for a user who signs in with two factors. */
  code: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
});
export type Login = Static<typeof Login>;
/** `POST /users/me/two-factor/confirm` and `DELETE /users/me/two-factor`: a TOTP or recovery code. */
export const TwoFactorCode = Type.Object({ code: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false });
export type TwoFactorCode = Static<typeof TwoFactorCode>;
export const TwoFactorEnrolment = Type.Object({ secret: Type.String(), otpauthUrl: Type.String() });
export const RecoveryCodes = Type.Object({ recoveryCodes: Type.Array(Type.String()) });
/**
 * `PATCH /users/me`: availability for auto-assignment, and a new password, which needs the
 * current one (DESIGN.md §13, "my own settings", "my password").
 */
export const MyAccountPatch = Type.Object(
  {
    available: Type.Optional(Type.Boolean()),
    /** The console's language for this user; null goes back to the browser's. */
    language: Type.Optional(Nullable(ConsoleLanguage)),
    password: Type.Optional(Type.String({ minLength: 1, maxLength: 1000 })),
    currentPassword: Type.Optional(Type.String({ minLength: 1, maxLength: 1000 })),
  },
  { additionalProperties: false },
);
export type MyAccountPatch = Static<typeof MyAccountPatch>;

export const ApiTokenCreate = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    // Not nullable: with type coercion on, a 0 would quietly become null (no expiry).
    expiresInDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
  },
  { additionalProperties: false },
);
export type ApiTokenCreate = Static<typeof ApiTokenCreate>;
export const ApiTokenCreated = Type.Object({ id: Type.String(), token: Type.String() });
export type ApiTokenCreated = Static<typeof ApiTokenCreated>;
export const ApiToken = Type.Object({
  id: Type.String(),
  name: Type.String(),
  createdAt: Time,
  lastUsedAt: Nullable(Time),
  expiresAt: Nullable(Time),
});
export type ApiToken = Static<typeof ApiToken>;
