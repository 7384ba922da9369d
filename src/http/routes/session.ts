import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, type ErrorCode } from '../../domain/errors.js';
import type { Services } from '../../services/index.js';
import { actorOf, authOf, requireAuth, SESSION_COOKIE } from '../auth.js';
import { LoginThrottle } from '../login-throttle.js';
import {
  ApiToken,
  ApiTokenCreate,
  ApiTokenCreated,
  errorResponses,
  IdParams,
  listOf,
  Login,
  MyAccountPatch,
  RecoveryCodes,
  Session,
  TwoFactorCode,
  TwoFactorEnrolment,
  User,
} from '../../contract/index.js';

const accountKey = (email: string) => `email:${email.trim().toLowerCase()}`;

/**
 * Runs a password check under the throttle: the attempt is counted before the slow hash,
 * stays counted when the password or code was wrong (`wrongCodes`), and on success clears only the
 * account's key — never the address's, or signing in to one's own account would wipe the
 * failures an address piled up on others.
 */
async function throttled<T>(
  throttle: LoginThrottle,
  request: FastifyRequest,
  reply: FastifyReply,
  email: string,
  wrongCodes: ErrorCode[],
  check: () => Promise<T>,
): Promise<T> {
  const account = accountKey(email);
  const { attempt, retryAfterSeconds } = throttle.reserve([`ip:${request.ip}`, account]);
  if (!attempt) {
    reply.header('retry-after', String(retryAfterSeconds));
    throw new DomainError('rate_limited', `Too many failed attempts; try again in ${Math.ceil(retryAfterSeconds / 60)} minutes`);
  }
  try {
    const result = await check();
    attempt.succeed([account]);
    return result;
  } catch (error) {
    if (error instanceof DomainError && wrongCodes.includes(error.code)) attempt.fail();
    else attempt.release();
    throw error;
  }
}

export const sessionRoutes: FastifyPluginAsyncTypebox<{ services: Services; secureCookies: boolean }> = async (
  app,
  { services, secureCookies },
) => {
  const throttle = new LoginThrottle();

  app.post(
    '/session',
    { schema: { tags: ['session'], body: Login, response: { 200: Session, ...errorResponses } } },
    async (request, reply) => {
      const { token, session } = await throttled(
        throttle,
        request,
        reply,
        request.body.email,
        ['invalid_credentials', 'invalid_two_factor_code'],
        () => services.users.login(request.body.email, request.body.password, request.body.code),
      );
      reply.setCookie(SESSION_COOKIE, token, {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        // Behind a TLS-terminating proxy that Fastify trusts (CASELINE_TRUST_PROXY), the
        // request arrives as http but `protocol` reads the proxy's X-Forwarded-Proto.
        secure: secureCookies || request.protocol === 'https',
        maxAge: 7 * 24 * 60 * 60,
      });
      return session;
    },
  );

  app.get(
    '/session',
    { schema: { tags: ['session'], response: { 200: Session, ...errorResponses } }, preHandler: requireAuth },
    async (request) => {
      return services.users.session(actorOf(request), request.auth!.csrfToken ?? '');
    },
  );

  app.delete('/session', { schema: { tags: ['session'] } }, async (request, reply) => {
    if (request.auth?.sessionToken) await services.users.logout(request.auth.sessionToken);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.status(204).send();
  });

  app.get(
    '/users/me',
    { schema: { tags: ['users'], response: { 200: User, ...errorResponses } }, preHandler: requireAuth },
    async (request) => services.users.me(actorOf(request)),
  );

  // A wrong current password counts against the account like a failed login, so this is
  // no better an oracle for guessing than the login itself.
  app.patch(
    '/users/me',
    { schema: { tags: ['users'], body: MyAccountPatch, response: { 200: User, ...errorResponses } }, preHandler: requireAuth },
    async (request, reply) => {
      const { actor, email, credential } = authOf(request);
      return throttled(throttle, request, reply, email, ['wrong_current_password'], () =>
        services.users.updateMe(actor, request.body, credential.id),
      );
    },
  );

  app.post(
    '/users/me/two-factor',
    { schema: { tags: ['users'], response: { 200: TwoFactorEnrolment, ...errorResponses } }, preHandler: requireAuth },
    async (request) => services.twoFactor.begin(actorOf(request)),
  );

  // Wrong codes count against the account like wrong passwords: six digits are few.
  app.post(
    '/users/me/two-factor/confirm',
    {
      schema: { tags: ['users'], body: TwoFactorCode, response: { 200: RecoveryCodes, ...errorResponses } },
      preHandler: requireAuth,
    },
    async (request, reply) => {
      const { actor, email } = authOf(request);
      return throttled(throttle, request, reply, email, ['invalid_two_factor_code'], () =>
        services.twoFactor.confirm(actor, request.body.code),
      );
    },
  );

  app.delete(
    '/users/me/two-factor',
    {
      schema: { tags: ['users'], body: TwoFactorCode, response: { 204: Type.Null(), ...errorResponses } },
      preHandler: requireAuth,
    },
    async (request, reply) => {
      const { actor, email } = authOf(request);
      await throttled(throttle, request, reply, email, ['invalid_two_factor_code'], () =>
        services.twoFactor.disable(actor, request.body.code),
      );
      return reply.status(204).send(null);
    },
  );

  app.delete(
    '/users/me/sessions',
    { schema: { tags: ['users'], response: { 204: Type.Null(), ...errorResponses } }, preHandler: requireAuth },
    async (request, reply) => {
      const { actor, credential } = authOf(request);
      await services.users.endOtherSessions(actor, credential.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/tokens',
    {
      schema: { tags: ['session'], body: ApiTokenCreate, response: { 201: ApiTokenCreated, ...errorResponses } },
      preHandler: requireAuth,
    },
    async (request, reply) =>
      reply.status(201).send(await services.users.createToken(actorOf(request), request.body.name, request.body.expiresInDays)),
  );

  app.get(
    '/tokens',
    { schema: { tags: ['session'], response: { 200: listOf(ApiToken), ...errorResponses } }, preHandler: requireAuth },
    async (request) => ({
      items: await services.users.listTokens(actorOf(request)),
      nextCursor: null,
    }),
  );

  app.delete(
    '/tokens/:id',
    { schema: { tags: ['session'], params: IdParams, response: { 204: Type.Null(), ...errorResponses } }, preHandler: requireAuth },
    async (request, reply) => {
      await services.users.revokeToken(actorOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
};
