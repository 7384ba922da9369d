import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { DomainError } from '../../domain/errors.js';
import type { Services } from '../../services/index.js';
import { actorOf, requireAuth, SESSION_COOKIE } from '../auth.js';
import { LoginThrottle } from '../login-throttle.js';
import { errorResponses, Login, Session } from '../schemas.js';

export const sessionRoutes: FastifyPluginAsyncTypebox<{ services: Services; secureCookies: boolean }> = async (
  app,
  { services, secureCookies },
) => {
  const throttle = new LoginThrottle();

  app.post(
    '/session',
    { schema: { tags: ['session'], body: Login, response: { 200: Session, ...errorResponses } } },
    async (request, reply) => {
      const keys = [`ip:${request.ip}`, `email:${request.body.email.trim().toLowerCase()}`];
      const wait = throttle.retryAfterSeconds(keys);
      if (wait > 0) {
        reply.header('retry-after', String(wait));
        throw new DomainError('rate_limited', `Too many failed logins; try again in ${Math.ceil(wait / 60)} minutes`);
      }
      try {
        const { token, session } = await services.users.login(request.body.email, request.body.password);
        throttle.succeed(keys);
        reply.setCookie(SESSION_COOKIE, token, {
          path: '/',
          httpOnly: true,
          sameSite: 'lax',
          secure: secureCookies,
          maxAge: 7 * 24 * 60 * 60,
        });
        return session;
      } catch (error) {
        if (error instanceof DomainError && error.code === 'invalid_credentials') throttle.fail(keys);
        throw error;
      }
    },
  );

  app.get('/session', { schema: { tags: ['session'], response: { 200: Session, ...errorResponses } }, preHandler: requireAuth }, async (request) => {
    return services.users.session(actorOf(request), request.auth!.csrfToken ?? '');
  });

  app.delete('/session', { schema: { tags: ['session'] } }, async (request, reply) => {
    if (request.auth?.sessionToken) await services.users.logout(request.auth.sessionToken);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.status(204).send();
  });

  app.post(
    '/tokens',
    {
      schema: {
        tags: ['session'],
        body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }) }),
        response: { 201: Type.Object({ token: Type.String() }), ...errorResponses },
      },
      preHandler: requireAuth,
    },
    async (request, reply) => reply.status(201).send(await services.users.createToken(actorOf(request), request.body.name)),
  );
};
