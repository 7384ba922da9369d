import { api } from './client.js';
import type { Organisation, OrganisationPatch } from './types.js';

/** Two-factor sign-in and my sessions (DESIGN.md §13 "two-factor", "sessions and tokens"). */
export const twoFactorApi = {
  /** A new secret, not in force until a code from it is confirmed. */
  begin: () => api<{ secret: string; otpauthUrl: string }>('POST', '/users/me/two-factor'),
  /** The recovery codes are in this answer only. */
  confirm: (code: string) => api<{ recoveryCodes: string[] }>('POST', '/users/me/two-factor/confirm', { code }),
  disable: (code: string) => api<null>('DELETE', '/users/me/two-factor', { code }),
  endOtherSessions: () => api<null>('DELETE', '/users/me/sessions'),
};

/** The organisation's settings (DESIGN.md §13 "organisation settings"). */
export const organisationApi = {
  get: () => api<Organisation>('GET', '/organisation'),
  update: (patch: OrganisationPatch) => api<Organisation>('PATCH', '/organisation', patch),
};
