/**
 * The PostgreSQL sequence that numbers an organisation's cases. Apart from ./open-postgres.ts
 * so that naming it never loads the PostgreSQL driver (a SQLite server holds none of it).
 */
export function caseNumberSequence(orgId: string): string {
  return `case_numbers_${orgId.toLowerCase().replace(/[^a-z0-9]/g, '')}`;
}
