import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../domain/errors.js';
import type { Actor } from '../services/context.js';
import type { Credential } from '../services/credentials.js';
import type { UserService } from '../services/users.js';

export const SESSION_COOKIE = 'caseline_session';

export interface Authentication {
  actor: Actor;
  email: string;
  /** The session or API token this request came with; live streams end with it. */
  credential: Credential;
  /** Set for cookie sessions: unsafe requests must echo it in `X-CSRF-Token`. */
  csrfToken: string | null;
  sessionToken: string | null;
  /** The organisation's policy asks this user for two-factor and they have not enrolled. */
  enrolmentRequired: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    auth: Authentication | null;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * What a user the two-factor policy covers may do before enrolling (DESIGN.md §13
 * "two-factor details"): sign in and out, see who they are, enrol. Paths outside the API
 * (the console's files) are open as well.
 */
const OPEN_BEFORE_ENROLMENT = new Set([
  'POST /api/v1/session',
  'GET /api/v1/session',
  'DELETE /api/v1/session',
  'GET /api/v1/users/me',
  'POST /api/v1/users/me/two-factor',
  'POST /api/v1/users/me/two-factor/confirm',
  'DELETE /api/v1/users/me/two-factor',
  'GET /api/v1/organisation',
]);

function checkEnrolment(request: FastifyRequest): void {
  if (!request.auth?.enrolmentRequired) return;
  const route = request.routeOptions.url;
  if (!request.url.startsWith('/api/')) return;
  const method = request.method === 'HEAD' ? 'GET' : request.method;
  if (route && OPEN_BEFORE_ENROLMENT.has(`${method} ${route}`)) return;
  throw new DomainError('two_factor_enrolment_required', 'Your organisation requires two-factor sign-in: set it up first');
}

/**
 * Resolves who is calling: an API token (`Authorization: Bearer`) or a session cookie.
 * Cookie sessions must carry the CSRF token on every unsafe request, so another site
 * cannot make a logged-in browser act.
 */
export function registerAuthentication(app: FastifyInstance, users: UserService): void {
  app.decorateRequest('auth', null);
  app.addHook('onRequest', async (request) => {
    const header = request.headers.authorization;
    if (header?.startsWith('Bearer ')) {
      const caller = await users.authenticateToken(header.slice('Bearer '.length).trim());
      if (!caller) throw new DomainError('unauthenticated', 'The API token is not valid');
      request.auth = { ...caller, csrfToken: null, sessionToken: null };
      checkEnrolment(request);
      return;
    }
    const token = request.cookies[SESSION_COOKIE];
    if (!token) return;
    const session = await users.authenticateSession(token);
    if (!session) return;
    if (!SAFE_METHODS.has(request.method) && request.headers['x-csrf-token'] !== session.csrfToken) {
      throw new DomainError('csrf_failed', "Send the session's CSRF token in the X-CSRF-Token header");
    }
    request.auth = {
      actor: session.actor,
      email: session.email,
      credential: session.credential,
      csrfToken: session.csrfToken,
      sessionToken: token,
      enrolmentRequired: session.enrolmentRequired,
    };
    checkEnrolment(request);
  });
}

/** The caller, or a 401. Routes call this first. */
export function actorOf(request: FastifyRequest): Actor {
  if (!request.auth) throw new DomainError('unauthenticated', 'Log in or send an API token');
  return request.auth.actor;
}

/** The caller's whole authentication, or a 401. */
export function authOf(request: FastifyRequest): Authentication {
  actorOf(request);
  return request.auth!;
}

export async function requireAuth(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
  actorOf(request);
}
