/** What a user may do in their organisation (DESIGN.md §1): admins everything, analysts work cases, viewers read. */
export const ROLES = ['admin', 'analyst', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(role: string): role is Role {
  return (ROLES as readonly string[]).includes(role);
}
