import { newId } from './ids.js';
import type { Executor, Transaction } from '../db/database.js';
import { releaseOpenCasesOf } from '../db/queries/assignment.js';
import type { ConsoleLanguage, MyAccountPatch, Session, User } from '../contract/index.js';
import type { UserTable } from '../db/schema.js';
import { DomainError, notFound, validationFailed } from '../domain/errors.js';
import { isRole, ROLES, type Role } from '../domain/roles.js';
import { distributeWaitingCases } from './auto-assignment.js';
import { addHistory, publishUpdated, requireAdmin, type Actor, type ServiceContext } from './context.js';
import { actorOfUser, createApiTokenService, revokeAccess, sessionCredential, type Authenticated } from './credentials.js';
import { sessionView as presentSession, userView } from './presenters.js';
import { twoFactorRequired } from '../domain/sign-in.js';
import { checkSecondFactor } from './two-factor.js';
import { dummyPasswordHash, hashPassword, needsRehash, randomToken, tokenHash, verifyPassword } from './security.js';

const SESSION_LIFETIME_MS = 7 * 24 * 60 * 60 * 1000;
/** Recording every request would write on every read; the idle timeout needs no finer time. */
const LAST_SEEN_GRANULARITY_MS = 60 * 1000;
export const MIN_PASSWORD_LENGTH = 10;
/**
 * One email may belong to users of several organisations (emails are unique per
 * organisation). Login checks the password against at most this many of them, oldest first.
 */
const MAX_LOGIN_CANDIDATES = 5;

export interface UserInput {
  email: string;
  name: string;
  role: Role;
  password: string;
}

function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw validationFailed(`A password needs at least ${MIN_PASSWORD_LENGTH} characters`);
  }
}

function normaliseEmail(email: string): string {
  const trimmed = email.trim().toLowerCase();
  if (!/^[^@\s]+@[^@\s]+$/.test(trimmed)) throw validationFailed('Not an email address');
  return trimmed;
}

/** Inserts a user; shared by the API, the CLI and first start. */
/** Open cases auto-assignment gives one person until an admin sets otherwise (DESIGN.md §7). */
export const DEFAULT_CAPACITY = 10;
export const MAX_CAPACITY = 1000;

export async function insertUser(db: Executor, orgId: string, input: UserInput, now: number): Promise<User> {
  if (!isRole(input.role)) throw validationFailed(`role must be one of ${ROLES.join(', ')}`);
  checkPassword(input.password);
  const email = normaliseEmail(input.email);
  // Only this organisation's users count: whether another organisation knows the address
  // is none of the caller's business (migration 005 made emails unique per organisation).
  const existing = await db.selectFrom('users').select('id').where('org_id', '=', orgId).where('email', '=', email).executeTakeFirst();
  if (existing) throw new DomainError('conflict', `A user with email ${email} exists already`);
  const row: UserTable = {
    id: newId(),
    org_id: orgId,
    email,
    name: input.name.trim() || email,
    role: input.role,
    password_hash: await hashPassword(input.password),
    active: 1,
    created_at: now,
    updated_at: now,
    available: 0,
    capacity: DEFAULT_CAPACITY,
    totp_secret: null,
    totp_enabled_at: null,
    totp_last_step: null,
    language: null,
  };
  await db.insertInto('users').values(row).execute();
  return userView(row);
}

export function createUserService(ctx: ServiceContext) {
  const { db } = ctx;
  const tokens = createApiTokenService(ctx);

  async function sessionView(user: UserTable, csrfToken: string): Promise<Session> {
    const org = await db.kysely
      .selectFrom('organisations')
      .select(['id', 'name', 'require_two_factor'])
      .where('id', '=', user.org_id)
      .executeTakeFirstOrThrow();
    const enabled = user.totp_enabled_at !== null;
    return presentSession(
      user,
      { id: org.id, name: org.name },
      csrfToken,
      { mediaMaxBytes: ctx.media.maxBytes },
      { enabled, enrolmentRequired: !enabled && twoFactorRequired(org.require_two_factor, user.role) },
    );
  }

  /** The first (oldest) active user with this email whose password matches, or null. */
  async function matchingUser(email: string, password: string): Promise<UserTable | null> {
    const candidates = await db.kysely
      .selectFrom('users')
      .selectAll()
      .where('email', '=', email.trim().toLowerCase())
      .where('active', '=', 1)
      .orderBy('created_at')
      .orderBy('id')
      .limit(MAX_LOGIN_CANDIDATES)
      .execute();
    // Hash even for unknown emails, at today's cost, so timing does not reveal which exist.
    if (candidates.length === 0) await verifyPassword(password, await dummyPasswordHash());
    for (const candidate of candidates) {
      if (await verifyPassword(password, candidate.password_hash)) return candidate;
    }
    return null;
  }

  /** Someone who becomes available gets the longest-waiting cases, up to their capacity (DESIGN.md §7). */
  async function releaseCasesOf(tx: Transaction, actor: Actor, userId: string, at: number): Promise<void> {
    const released = await releaseOpenCasesOf(tx.db, actor.orgId, userId);
    if (released.length === 0) return;
    await addHistory(
      tx.db,
      released.map((r) => ({
        recordId: r.id,
        userId: actor.userId,
        action: 'released',
        detail: { lockedBy: userId, by: 'deactivation' },
        at,
      })),
    );
    publishUpdated(tx, released);
  }

  async function setAvailable(actor: Actor, available: boolean): Promise<User> {
    await db.transaction(async (tx) => {
      const now = ctx.now();
      await tx.db
        .updateTable('users')
        .set({ available: available ? 1 : 0, updated_at: now })
        .where('id', '=', actor.userId)
        .execute();
      if (available) await distributeWaitingCases(db, tx, actor.orgId, now);
    });
    return userView(await ownRow(actor));
  }

  async function setLanguage(actor: Actor, language: ConsoleLanguage | null): Promise<User> {
    await db.kysely.updateTable('users').set({ language, updated_at: ctx.now() }).where('id', '=', actor.userId).execute();
    return userView(await ownRow(actor));
  }

  /** Deletes sessions and ends the live streams they opened, on every server process. */
  async function endSessions(orgId: string, userId: string, idHashes: string[]): Promise<void> {
    if (idHashes.length === 0) return;
    await db.transaction(async (tx) => {
      await tx.db.deleteFrom('sessions').where('user_id', '=', userId).where('id_hash', 'in', idHashes).execute();
      for (const idHash of idHashes) tx.publish({ type: 'access.revoked', orgId, userId, credential: sessionCredential(idHash) });
    });
  }

  async function ownRow(actor: Actor): Promise<UserTable> {
    const row = await db.kysely
      .selectFrom('users')
      .selectAll()
      .where('id', '=', actor.userId)
      .where('org_id', '=', actor.orgId)
      .executeTakeFirst();
    if (!row) throw notFound('User');
    return row;
  }

  return {
    async list(actor: Actor): Promise<User[]> {
      requireAdmin(actor);
      const rows = await db.kysely.selectFrom('users').selectAll().where('org_id', '=', actor.orgId).orderBy('email').execute();
      return rows.map(userView);
    },

    async create(actor: Actor, input: UserInput): Promise<User> {
      requireAdmin(actor);
      return insertUser(db.kysely, actor.orgId, input, ctx.now());
    },

    async update(
      actor: Actor,
      id: string,
      patch: Partial<Omit<UserInput, 'email'>> & { active?: boolean; capacity?: number },
    ): Promise<User> {
      requireAdmin(actor);
      const row = await db.kysely.selectFrom('users').selectAll().where('id', '=', id).where('org_id', '=', actor.orgId).executeTakeFirst();
      if (!row) throw notFound('User');
      if (patch.role !== undefined && !isRole(patch.role)) throw validationFailed(`role must be one of ${ROLES.join(', ')}`);
      if (id === actor.userId && (patch.active === false || (patch.role && patch.role !== 'admin'))) {
        throw validationFailed('You cannot deactivate yourself or give up your own admin role');
      }
      const next: Partial<UserTable> = { updated_at: ctx.now() };
      if (patch.name !== undefined) next.name = patch.name.trim() || row.name;
      if (patch.role !== undefined) next.role = patch.role;
      if (patch.active !== undefined) next.active = patch.active ? 1 : 0;
      if (patch.capacity !== undefined) {
        if (!Number.isInteger(patch.capacity) || patch.capacity < 0 || patch.capacity > MAX_CAPACITY) {
          throw validationFailed(`capacity must be a whole number from 0 to ${MAX_CAPACITY}`);
        }
        next.capacity = patch.capacity;
      }
      if (patch.password !== undefined) {
        checkPassword(patch.password);
        // Hashed before the transaction: a slow hash must not hold the write lock.
        next.password_hash = await hashPassword(patch.password);
      }
      await db.transaction(async (tx) => {
        await tx.db.updateTable('users').set(next).where('id', '=', id).execute();
        // A deactivated user or a changed password ends every session and API token, so a
        // user deactivated and later reactivated does not get old credentials back.
        if (patch.active === false || patch.password !== undefined) await revokeAccess(tx, { orgId: row.org_id, userId: id });
        // Someone who can no longer work cases holds none: their open cases go back to the
        // queue (and to auto-assignment below), rather than stay locked to nobody who can act.
        if (patch.active === false || patch.role === 'viewer') await releaseCasesOf(tx, actor, id, next.updated_at!);
        // More capacity, or someone back at work: room that waiting cases may fill.
        if (patch.capacity !== undefined || patch.active !== undefined || patch.role !== undefined) {
          await distributeWaitingCases(db, tx, row.org_id, next.updated_at!);
        }
      });
      return userView({ ...row, ...next });
    },

    /** The caller's own user. */
    async me(actor: Actor): Promise<User> {
      return userView(await ownRow(actor));
    },

    /**
     * `PATCH /users/me`: availability for auto-assignment, and the password (which needs the
     * current one). Availability is changed only once the password change, if any, went through.
     */
    async updateMe(actor: Actor, input: MyAccountPatch, keep: string): Promise<User> {
      if (input.password === undefined && input.currentPassword !== undefined) {
        throw validationFailed('currentPassword goes with a new password');
      }
      let user =
        input.password === undefined
          ? null
          : await this.changeOwnPassword(actor, { password: input.password, currentPassword: input.currentPassword ?? '' }, keep);
      if (input.language !== undefined) user = await setLanguage(actor, input.language);
      if (input.available !== undefined) user = await setAvailable(actor, input.available);
      return user ?? this.me(actor);
    },

    /**
     * Changes the caller's own password after checking the current one. Every other session
     * and API token of theirs ends; `keep` — the credential of this request — goes on working.
     */
    async changeOwnPassword(actor: Actor, input: { currentPassword: string; password: string }, keep: string): Promise<User> {
      checkPassword(input.password);
      const row = await ownRow(actor);
      if (!(await verifyPassword(input.currentPassword, row.password_hash))) {
        throw new DomainError('wrong_current_password', 'The current password is wrong');
      }
      const next = { password_hash: await hashPassword(input.password), updated_at: ctx.now() };
      await db.transaction(async (tx) => {
        // Compare-and-set: a password changed meanwhile (by an admin) is not overwritten.
        const changed = await tx.db
          .updateTable('users')
          .set(next)
          .where('id', '=', row.id)
          .where('password_hash', '=', row.password_hash)
          .executeTakeFirst();
        if (Number(changed.numUpdatedRows) === 0) throw new DomainError('conflict', 'The password was changed meanwhile; try again');
        await revokeAccess(tx, { orgId: row.org_id, userId: row.id }, keep);
      });
      return userView({ ...row, ...next });
    },

    /**
     * Signs in. A user with two-factor on also needs `code` (TOTP or recovery); without one
     * the answer is `two_factor_required`, which tells only that the password was right.
     */
    async login(email: string, password: string, code?: string): Promise<{ token: string; session: Session }> {
      const row = await matchingUser(email, password);
      if (!row) throw new DomainError('invalid_credentials', 'Email or password is wrong');
      if (row.totp_enabled_at !== null && !code) {
        throw new DomainError('two_factor_required', 'Enter the code from your authenticator app or a recovery code');
      }
      // A hash made with less work than today's parameters is replaced while the password is at hand.
      const rehashed = needsRehash(row.password_hash) ? await hashPassword(password) : null;
      const token = randomToken(32);
      const csrfToken = randomToken(24);
      const now = ctx.now();
      await db.transaction(async (tx) => {
        if (row.totp_enabled_at !== null) await checkSecondFactor(ctx, tx.db, row, code!);
        if (rehashed) {
          await tx.db
            .updateTable('users')
            .set({ password_hash: rehashed })
            .where('id', '=', row.id)
            .where('password_hash', '=', row.password_hash)
            .execute();
        }
        await tx.db
          .insertInto('sessions')
          .values({
            id_hash: tokenHash(token),
            user_id: row.id,
            csrf_token: csrfToken,
            created_at: now,
            expires_at: now + SESSION_LIFETIME_MS,
            last_seen_at: now,
          })
          .execute();
        await tx.db.deleteFrom('sessions').where('expires_at', '<', now).execute();
      });
      return { token, session: await sessionView(row, csrfToken) };
    },

    /** Ends one session, and the live streams it opened. */
    async logout(token: string): Promise<void> {
      const idHash = tokenHash(token);
      await db.transaction(async (tx) => {
        const session = await tx.db
          .selectFrom('sessions')
          .innerJoin('users', 'users.id', 'sessions.user_id')
          .select(['users.id', 'users.org_id'])
          .where('sessions.id_hash', '=', idHash)
          .executeTakeFirst();
        if (!session) return;
        await tx.db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
        tx.publish({ type: 'access.revoked', orgId: session.org_id, userId: session.id, credential: sessionCredential(idHash) });
      });
    },

    /** The caller behind a session cookie, with the CSRF token the session must echo. */
    async authenticateSession(token: string): Promise<(Authenticated & { csrfToken: string }) | null> {
      const idHash = tokenHash(token);
      const row = await db.kysely
        .selectFrom('sessions')
        .innerJoin('users', 'users.id', 'sessions.user_id')
        .innerJoin('organisations', 'organisations.id', 'users.org_id')
        .selectAll('users')
        .select(['sessions.csrf_token', 'sessions.expires_at', 'sessions.last_seen_at'])
        .select(['organisations.session_idle_minutes', 'organisations.require_two_factor'])
        .where('sessions.id_hash', '=', idHash)
        .executeTakeFirst();
      const now = ctx.now();
      if (!row || row.expires_at < now || row.active !== 1) return null;
      const lastSeen = Number(row.last_seen_at);
      if (now - lastSeen > Number(row.session_idle_minutes) * 60_000) {
        await endSessions(row.org_id, row.id, [idHash]);
        return null;
      }
      if (now - lastSeen >= LAST_SEEN_GRANULARITY_MS) {
        await db
          .transaction(async (tx) => {
            await tx.db.updateTable('sessions').set({ last_seen_at: now }).where('id_hash', '=', idHash).execute();
          })
          .catch(() => {
            // A missed "last seen" time must not refuse a valid session.
          });
      }
      return {
        actor: actorOfUser(row),
        email: row.email,
        credential: { id: sessionCredential(idHash), expiresAt: row.expires_at },
        csrfToken: row.csrf_token,
        enrolmentRequired: row.totp_enabled_at === null && twoFactorRequired(row.require_two_factor, row.role),
      };
    },

    /**
     * `DELETE /users/me/sessions`: ends every session of the caller but the one this request
     * came with (`keep`), and the live streams those sessions opened. API tokens stay.
     */
    async endOtherSessions(actor: Actor, keep: string): Promise<void> {
      const rows = await db.kysely.selectFrom('sessions').select('id_hash').where('user_id', '=', actor.userId).execute();
      const others = rows.map((r) => r.id_hash).filter((h) => sessionCredential(h) !== keep);
      await endSessions(actor.orgId, actor.userId, others);
    },

    authenticateToken: (...args: Parameters<typeof tokens.authenticate>) => tokens.authenticate(...args),

    async session(actor: Actor, csrfToken: string): Promise<Session> {
      const row = await db.kysely.selectFrom('users').selectAll().where('id', '=', actor.userId).executeTakeFirstOrThrow();
      return sessionView(row, csrfToken);
    },

    /** An API token acts as its user; it is shown once and stored as a hash. */
    createToken: (actor: Actor, name: string, expiresInDays?: number | null) => tokens.create(actor, { name, expiresInDays }),
    listTokens: (actor: Actor) => tokens.list(actor),
    revokeToken: (actor: Actor, id: string) => tokens.remove(actor, id),
  };
}

export type UserService = ReturnType<typeof createUserService>;
