import type { Role } from './roles.js';

/** Who must sign in with two factors (DESIGN.md §13 "organisation settings"). */
export const TWO_FACTOR_POLICIES = ['none', 'admins', 'everyone'] as const;
export type TwoFactorPolicy = (typeof TWO_FACTOR_POLICIES)[number];

/** Whether the policy asks a user of `role` for a second factor. */
export function twoFactorRequired(policy: TwoFactorPolicy, role: Role): boolean {
  return policy === 'everyone' || (policy === 'admins' && role === 'admin');
}

/** A session unused this long ends, by default (DESIGN.md §9). */
export const DEFAULT_SESSION_IDLE_MINUTES = 8 * 60;
export const MIN_SESSION_IDLE_MINUTES = 5;
/** Thirty days: a session never lives longer anyway. */
export const MAX_SESSION_IDLE_MINUTES = 30 * 24 * 60;
