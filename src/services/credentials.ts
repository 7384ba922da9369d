import type { ApiToken } from '../contract/index.js';
import type { Transaction } from '../db/database.js';
import type { UserTable } from '../db/schema.js';
import { notFound, validationFailed } from '../domain/errors.js';
import type { Actor, ServiceContext } from './context.js';
import { newId } from './ids.js';
import { apiTokenView } from './presenters.js';
import { randomToken, tokenHash } from './security.js';
import { twoFactorRequired } from '../domain/sign-in.js';

/**
 * What a request signed in with: a session (`session:<hash of its cookie>`) or an API token
 * (`token:<id>`), and when it stops working. Live event streams remember it, so that ending
 * the credential ends them too.
 */
export interface Credential {
  id: string;
  expiresAt: number | null;
}

/** Who is calling, and with what. */
export interface Authenticated {
  actor: Actor;
  email: string;
  credential: Credential;
  /** The organisation's policy asks this user for two-factor and they have not enrolled: only enrolment is open. */
  enrolmentRequired: boolean;
}

export const sessionCredential = (idHash: string) => `session:${idHash}`;
export const tokenCredential = (id: string) => `token:${id}`;

export const actorOfUser = (user: UserTable): Actor => ({ userId: user.id, orgId: user.org_id, role: user.role, name: user.name });

/**
 * Ends a user's sessions and API tokens — all of them, or all but `keep` (the one the user
 * is changing their password with) — and tells every server process, through the change
 * feed, to end the live streams they opened.
 */
export async function revokeAccess(tx: Transaction, user: { orgId: string; userId: string }, keep?: string): Promise<void> {
  let sessions = tx.db.deleteFrom('sessions').where('user_id', '=', user.userId);
  if (keep?.startsWith('session:')) sessions = sessions.where('id_hash', '!=', keep.slice('session:'.length));
  let tokens = tx.db.deleteFrom('api_tokens').where('user_id', '=', user.userId);
  if (keep?.startsWith('token:')) tokens = tokens.where('id', '!=', keep.slice('token:'.length));
  await sessions.execute();
  await tokens.execute();
  tx.publish({ type: 'access.revoked', orgId: user.orgId, userId: user.userId, ...(keep ? { keepCredential: keep } : {}) });
}

const DAY_MS = 24 * 60 * 60 * 1000;
export const MAX_TOKEN_DAYS = 3650;
/** Recording every use would write on every API call; once a minute tells the user enough. */
const LAST_USED_GRANULARITY_MS = 60 * 1000;

/** API tokens: an API token acts as its user; it is shown once and stored as a hash. */
export function createApiTokenService(ctx: ServiceContext) {
  const { db } = ctx;

  return {
    async create(actor: Actor, input: { name: string; expiresInDays?: number | null }): Promise<{ id: string; token: string }> {
      const name = input.name.trim();
      if (!name) throw validationFailed('A token needs a name');
      const days = input.expiresInDays ?? null;
      if (days !== null && !(Number.isInteger(days) && days >= 1 && days <= MAX_TOKEN_DAYS)) {
        throw validationFailed(`expiresInDays must be a whole number from 1 to ${MAX_TOKEN_DAYS}`);
      }
      const token = `cl_${randomToken(32)}`;
      const now = ctx.now();
      const id = newId();
      await db.transaction(async (tx) => {
        await tx.db
          .insertInto('api_tokens')
          .values({
            id,
            user_id: actor.userId,
            name,
            token_hash: tokenHash(token),
            created_at: now,
            last_used_at: null,
            expires_at: days === null ? null : now + days * DAY_MS,
          })
          .execute();
      });
      return { id, token };
    },

    /** The caller's own tokens, newest first; never the secret or its hash. */
    async list(actor: Actor): Promise<ApiToken[]> {
      const rows = await db.kysely
        .selectFrom('api_tokens')
        .select(['id', 'name', 'created_at', 'last_used_at', 'expires_at'])
        .where('user_id', '=', actor.userId)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .execute();
      return rows.map(apiTokenView);
    },

    /** Revokes one of the caller's own tokens; another user's is "not found". */
    async remove(actor: Actor, id: string): Promise<void> {
      await db.transaction(async (tx) => {
        const deleted = await tx.db.deleteFrom('api_tokens').where('id', '=', id).where('user_id', '=', actor.userId).executeTakeFirst();
        if (Number(deleted.numDeletedRows) === 0) throw notFound('API token');
        tx.publish({ type: 'access.revoked', orgId: actor.orgId, userId: actor.userId, credential: tokenCredential(id) });
      });
    },

    async authenticate(token: string): Promise<Authenticated | null> {
      const row = await db.kysely
        .selectFrom('api_tokens')
        .innerJoin('users', 'users.id', 'api_tokens.user_id')
        .innerJoin('organisations', 'organisations.id', 'users.org_id')
        .selectAll('users')
        .select('organisations.require_two_factor')
        .select(['api_tokens.id as token_id', 'api_tokens.expires_at', 'api_tokens.last_used_at'])
        .where('api_tokens.token_hash', '=', tokenHash(token))
        .executeTakeFirst();
      const now = ctx.now();
      if (!row || row.active !== 1) return null;
      if (row.expires_at !== null && row.expires_at <= now) return null;
      if (row.last_used_at === null || now - row.last_used_at >= LAST_USED_GRANULARITY_MS) {
        await db
          .transaction(async (tx) => {
            await tx.db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', row.token_id).execute();
          })
          .catch(() => {
            // A missed "last used" time must not refuse a valid token.
          });
      }
      return {
        actor: actorOfUser(row),
        email: row.email,
        credential: { id: tokenCredential(row.token_id), expiresAt: row.expires_at },
        enrolmentRequired: row.totp_enabled_at === null && twoFactorRequired(row.require_two_factor, row.role),
      };
    },
  };
}

export type ApiTokenService = ReturnType<typeof createApiTokenService>;
