import { randomBytes } from 'node:crypto';
import { generateSecret, generateURI, verifySync } from 'otplib';
import type { Executor } from '../db/database.js';
import type { UserTable } from '../db/schema.js';
import { DomainError, forbidden } from '../domain/errors.js';
import { twoFactorRequired } from '../domain/sign-in.js';
import type { Actor, ServiceContext } from './context.js';
import { loadOrganisation } from './organisation.js';
import { tokenHash } from './security.js';

export const TOTP_ISSUER = 'Caseline';
/** RFC 6238 steps of 30 seconds; one step either side allows for a phone's clock drift. */
const STEP_SECONDS = 30;
const TOLERANCE_SECONDS = STEP_SECONDS;
export const RECOVERY_CODE_COUNT = 10;
const RECOVERY_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
/** 16 characters of a 32-letter alphabet: 80 random bits. */
const RECOVERY_CODE_LENGTH = 16;

const wrongCode = () => new DomainError('invalid_two_factor_code', 'The code is wrong or was used already');

/** A code as typed: spaces and dashes dropped, letters in upper case. */
const normaliseCode = (code: string) => code.replace(/[\s-]/g, '').toUpperCase();
const isTotpCode = (code: string) => /^\d{6}$/.test(code);

function newRecoveryCode(): string {
  const bytes = randomBytes(RECOVERY_CODE_LENGTH);
  const chars = Array.from(bytes, (b) => RECOVERY_ALPHABET[b % RECOVERY_ALPHABET.length]).join('');
  return chars.match(/.{4}/g)!.join('-');
}

/**
 * Recovery codes are stored as SHA-256 hashes, not scrypt: each has 80 random bits, so
 * no dictionary or brute force reaches one from its hash, and a login that checks a code
 * does not pay for ten slow hashes.
 */
const recoveryHash = (code: string) => tokenHash(`recovery:${normaliseCode(code)}`);

function openSecret(ctx: ServiceContext, sealed: string | null): string | null {
  if (!sealed) return null;
  const value = ctx.secrets.open(sealed);
  return typeof value === 'string' ? value : null;
}

/**
 * Checks a TOTP code against the user's secret and, when right, moves `totp_last_step`
 * to its time step with a compare-and-set, so that the same code — or an earlier one of
 * its window — never works twice, even when two requests carry it at once.
 */
async function useTotp(ctx: ServiceContext, db: Executor, user: UserTable, secret: string, code: string): Promise<boolean> {
  const last = user.totp_last_step === null ? null : Number(user.totp_last_step);
  const result = verifySync({
    secret,
    token: code,
    epoch: Math.floor(ctx.now() / 1000),
    epochTolerance: TOLERANCE_SECONDS,
    ...(last === null ? {} : { afterTimeStep: last }),
  });
  // The TOTP strategy's answer carries the matched step; the union type also covers HOTP's.
  if (!result.valid || !('timeStep' in result)) return false;
  let update = db.updateTable('users').set({ totp_last_step: result.timeStep }).where('id', '=', user.id);
  update = last === null ? update.where('totp_last_step', 'is', null) : update.where('totp_last_step', '=', last);
  const moved = await update.executeTakeFirst();
  return Number(moved.numUpdatedRows) === 1;
}

/** Marks an unused recovery code used; false when there is none such. */
async function useRecoveryCode(db: Executor, userId: string, code: string, now: number): Promise<boolean> {
  const used = await db
    .updateTable('recovery_codes')
    .set({ used_at: now })
    .where('user_id', '=', userId)
    .where('code_hash', '=', recoveryHash(code))
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(used.numUpdatedRows) === 1;
}

/**
 * The second factor of an enrolled user: a TOTP code or an unused recovery code, each
 * good once. Throws `invalid_two_factor_code` otherwise.
 */
export async function checkSecondFactor(ctx: ServiceContext, db: Executor, user: UserTable, code: string): Promise<void> {
  const secret = openSecret(ctx, user.totp_secret);
  if (!secret || user.totp_enabled_at === null) throw wrongCode();
  const typed = normaliseCode(code);
  const ok = isTotpCode(typed) ? await useTotp(ctx, db, user, secret, typed) : await useRecoveryCode(db, user.id, typed, ctx.now());
  if (!ok) throw wrongCode();
}

/** Enrolment and removal of TOTP two-factor sign-in (DESIGN.md §9, §13 "two-factor"). */
export function createTwoFactorService(ctx: ServiceContext) {
  const { db } = ctx;

  async function ownRow(actor: Actor, executor: Executor = db.kysely): Promise<UserTable> {
    return executor
      .selectFrom('users')
      .selectAll()
      .where('id', '=', actor.userId)
      .where('org_id', '=', actor.orgId)
      .executeTakeFirstOrThrow();
  }

  return {
    /**
     * A new secret, stored sealed but not yet in force: sign-in asks for codes only once
     * one code from it is confirmed. Starting again replaces an unconfirmed secret.
     */
    async begin(actor: Actor): Promise<{ secret: string; otpauthUrl: string }> {
      const user = await ownRow(actor);
      if (user.totp_enabled_at !== null) throw new DomainError('conflict', 'Two-factor sign-in is on already; turn it off first');
      const secret = generateSecret();
      await db.transaction(async (tx) => {
        await tx.db
          .updateTable('users')
          .set({ totp_secret: ctx.secrets.seal(secret), totp_last_step: null, updated_at: ctx.now() })
          .where('id', '=', user.id)
          .where('totp_enabled_at', 'is', null)
          .execute();
      });
      return { secret, otpauthUrl: generateURI({ issuer: TOTP_ISSUER, label: user.email, secret }) };
    },

    /** Turns two-factor on with a code from the new secret; answers the recovery codes, shown only now. */
    async confirm(actor: Actor, code: string): Promise<{ recoveryCodes: string[] }> {
      const recoveryCodes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
      await db.transaction(async (tx) => {
        const user = await ownRow(actor, tx.db);
        if (user.totp_enabled_at !== null) throw new DomainError('conflict', 'Two-factor sign-in is on already');
        const secret = openSecret(ctx, user.totp_secret);
        if (!secret) throw new DomainError('conflict', 'Start two-factor enrolment first');
        const typed = normaliseCode(code);
        if (!isTotpCode(typed) || !(await useTotp(ctx, tx.db, user, secret, typed))) throw wrongCode();
        const now = ctx.now();
        await tx.db.updateTable('users').set({ totp_enabled_at: now, updated_at: now }).where('id', '=', user.id).execute();
        await tx.db.deleteFrom('recovery_codes').where('user_id', '=', user.id).execute();
        await tx.db
          .insertInto('recovery_codes')
          .values(recoveryCodes.map((c) => ({ user_id: user.id, code_hash: recoveryHash(c), used_at: null, created_at: now })))
          .execute();
      });
      return { recoveryCodes };
    },

    /** Turns two-factor off; it takes a TOTP or recovery code, so a stolen session alone cannot. */
    async disable(actor: Actor, code: string): Promise<void> {
      await db.transaction(async (tx) => {
        const user = await ownRow(actor, tx.db);
        if (user.totp_enabled_at === null) throw new DomainError('conflict', 'Two-factor sign-in is off');
        const { requireTwoFactor } = await loadOrganisation(tx.db, actor.orgId);
        if (twoFactorRequired(requireTwoFactor, actor.role)) {
          throw forbidden('Your organisation requires two-factor sign-in; it cannot be turned off');
        }
        await checkSecondFactor(ctx, tx.db, user, code);
        await tx.db
          .updateTable('users')
          .set({ totp_secret: null, totp_enabled_at: null, totp_last_step: null, updated_at: ctx.now() })
          .where('id', '=', user.id)
          .execute();
        await tx.db.deleteFrom('recovery_codes').where('user_id', '=', user.id).execute();
      });
    },
  };
}

export type TwoFactorService = ReturnType<typeof createTwoFactorService>;
