import { newId } from './ids.js';
import type { Executor } from '../db/database.js';
import type { Role, UserTable } from '../db/schema.js';
import { DomainError, notFound, validationFailed } from '../domain/errors.js';
import { iso, requireAdmin, type Actor, type ServiceContext } from './context.js';
import { hashPassword, randomToken, tokenHash, verifyPassword } from './security.js';

export const ROLES: readonly Role[] = ['admin', 'analyst', 'viewer'];
const SESSION_LIFETIME_MS = 7 * 24 * 60 * 60 * 1000;
export const MIN_PASSWORD_LENGTH = 10;

export interface UserView {
  id: string;
  email: string;
  name: string;
  role: Role;
  active: boolean;
  createdAt: string;
}

export interface SessionView {
  user: { id: string; email: string; name: string; role: Role };
  organisation: { id: string; name: string };
  csrfToken: string;
}

export interface UserInput {
  email: string;
  name: string;
  role: Role;
  password: string;
}

const userView = (row: UserTable): UserView => ({
  id: row.id,
  email: row.email,
  name: row.name,
  role: row.role,
  active: row.active === 1,
  createdAt: iso(row.created_at)!,
});

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
export async function insertUser(db: Executor, orgId: string, input: UserInput, now: number): Promise<UserView> {
  if (!ROLES.includes(input.role)) throw validationFailed(`role must be one of ${ROLES.join(', ')}`);
  checkPassword(input.password);
  const email = normaliseEmail(input.email);
  const existing = await db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst();
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
  };
  await db.insertInto('users').values(row).execute();
  return userView(row);
}

export function createUserService(ctx: ServiceContext) {
  const { db } = ctx;

  async function sessionView(user: UserTable, csrfToken: string): Promise<SessionView> {
    const org = await db.kysely.selectFrom('organisations').select(['id', 'name']).where('id', '=', user.org_id).executeTakeFirstOrThrow();
    return { user: { id: user.id, email: user.email, name: user.name, role: user.role }, organisation: org, csrfToken };
  }

  const actorOf = (user: UserTable): Actor => ({ userId: user.id, orgId: user.org_id, role: user.role, name: user.name });

  return {
    async list(actor: Actor): Promise<UserView[]> {
      requireAdmin(actor);
      const rows = await db.kysely.selectFrom('users').selectAll().where('org_id', '=', actor.orgId).orderBy('email').execute();
      return rows.map(userView);
    },

    async create(actor: Actor, input: UserInput): Promise<UserView> {
      requireAdmin(actor);
      return insertUser(db.kysely, actor.orgId, input, ctx.now());
    },

    async update(actor: Actor, id: string, patch: Partial<Omit<UserInput, 'email'>> & { active?: boolean }): Promise<UserView> {
      requireAdmin(actor);
      const row = await db.kysely.selectFrom('users').selectAll().where('id', '=', id).where('org_id', '=', actor.orgId).executeTakeFirst();
      if (!row) throw notFound('User');
      if (patch.role !== undefined && !ROLES.includes(patch.role)) throw validationFailed(`role must be one of ${ROLES.join(', ')}`);
      if (id === actor.userId && (patch.active === false || (patch.role && patch.role !== 'admin'))) {
        throw validationFailed('You cannot deactivate yourself or give up your own admin role');
      }
      const next: Partial<UserTable> = { updated_at: ctx.now() };
      if (patch.name !== undefined) next.name = patch.name.trim() || row.name;
      if (patch.role !== undefined) next.role = patch.role;
      if (patch.active !== undefined) next.active = patch.active ? 1 : 0;
      if (patch.password !== undefined) {
        checkPassword(patch.password);
        next.password_hash = await hashPassword(patch.password);
      }
      await db.kysely.updateTable('users').set(next).where('id', '=', id).execute();
      if (patch.active === false || patch.password !== undefined) {
        // A deactivated user or a changed password ends the user's sessions.
        await db.kysely.deleteFrom('sessions').where('user_id', '=', id).execute();
      }
      return userView({ ...row, ...next });
    },

    async login(email: string, password: string): Promise<{ token: string; session: SessionView }> {
      const row = await db.kysely
        .selectFrom('users')
        .selectAll()
        .where('email', '=', email.trim().toLowerCase())
        .executeTakeFirst();
      // Hash even for unknown emails so timing does not reveal which emails exist.
      const ok = await verifyPassword(password, row?.password_hash ?? DUMMY_HASH);
      if (!row || !ok || row.active !== 1) throw new DomainError('invalid_credentials', 'Email or password is wrong');
      const token = randomToken(32);
      const csrfToken = randomToken(24);
      const now = ctx.now();
      await db.kysely
        .insertInto('sessions')
        .values({ id_hash: tokenHash(token), user_id: row.id, csrf_token: csrfToken, created_at: now, expires_at: now + SESSION_LIFETIME_MS })
        .execute();
      await db.kysely.deleteFrom('sessions').where('expires_at', '<', now).execute();
      return { token, session: await sessionView(row, csrfToken) };
    },

    async logout(token: string): Promise<void> {
      await db.kysely.deleteFrom('sessions').where('id_hash', '=', tokenHash(token)).execute();
    },

    /** The actor behind a session cookie, with the CSRF token the session must echo. */
    async authenticateSession(token: string): Promise<{ actor: Actor; csrfToken: string } | null> {
      const row = await db.kysely
        .selectFrom('sessions')
        .innerJoin('users', 'users.id', 'sessions.user_id')
        .selectAll('users')
        .select(['sessions.csrf_token', 'sessions.expires_at'])
        .where('sessions.id_hash', '=', tokenHash(token))
        .executeTakeFirst();
      if (!row || row.expires_at < ctx.now() || row.active !== 1) return null;
      return { actor: actorOf(row), csrfToken: row.csrf_token };
    },

    async authenticateToken(token: string): Promise<Actor | null> {
      const row = await db.kysely
        .selectFrom('api_tokens')
        .innerJoin('users', 'users.id', 'api_tokens.user_id')
        .selectAll('users')
        .where('api_tokens.token_hash', '=', tokenHash(token))
        .executeTakeFirst();
      if (!row || row.active !== 1) return null;
      return actorOf(row);
    },

    async session(actor: Actor, csrfToken: string): Promise<SessionView> {
      const row = await db.kysely.selectFrom('users').selectAll().where('id', '=', actor.userId).executeTakeFirstOrThrow();
      return sessionView(row, csrfToken);
    },

    /** An API token acts as its user; it is shown once and stored as a hash. */
    async createToken(actor: Actor, name: string): Promise<{ token: string }> {
      if (!name.trim()) throw validationFailed('A token needs a name');
      const token = `cl_${randomToken(32)}`;
      await db.kysely
        .insertInto('api_tokens')
        .values({ id: newId(), user_id: actor.userId, name: name.trim(), token_hash: tokenHash(token), created_at: ctx.now(), last_used_at: null })
        .execute();
      return { token };
    },
  };
}

export type UserService = ReturnType<typeof createUserService>;

const DUMMY_HASH = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';
