import type { FastifyPluginAsync } from 'fastify';
import { isConsoleEvent, isForUser, type ChangeEvent, type ChangeFeed } from '../../domain/change-events.js';
import { DomainError } from '../../domain/errors.js';
import { authOf, requireAuth } from '../auth.js';

const HEARTBEAT_MS = 25_000;
/** A console needs one stream per tab; more from one user is a leak or an attack. */
export const MAX_STREAMS_PER_USER = 10;
/** setTimeout's longest delay; a credential that lives longer is checked again on reconnect. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Whether `event` ends a stream that `userId` opened with `credential`. */
function revokes(event: ChangeEvent, userId: string, credential: string): boolean {
  if (event.type !== 'access.revoked' || event.userId !== userId) return false;
  return event.credential !== undefined ? event.credential === credential : event.keepCredential !== credential;
}

/**
 * Server-sent events: the organisation's committed changes, as they happen. A stream ends
 * with the session or token that opened it — logout, a password change, deactivation, a
 * revoked or expired token — on every server process, since revocations travel on the same
 * change feed (LISTEN/NOTIFY on PostgreSQL). At most `MAX_STREAMS_PER_USER` per user and
 * process.
 */
export const eventRoutes: FastifyPluginAsync<{ changes: ChangeFeed }> = async (app, { changes }) => {
  const open = new Set<() => void>();
  const perUser = new Map<string, number>();
  // Streams never end on their own; shutting down must end them or close() would wait.
  app.addHook('onClose', async () => {
    for (const end of open) end();
  });

  app.get('/events', { schema: { tags: ['events'] }, preHandler: requireAuth }, async (request, reply) => {
    const { actor, credential } = authOf(request);
    const { orgId, userId } = actor;
    const streams = perUser.get(userId) ?? 0;
    if (streams >= MAX_STREAMS_PER_USER) {
      throw new DomainError('too_many_streams', `At most ${MAX_STREAMS_PER_USER} live event streams per user; close another tab`);
    }
    perUser.set(userId, streams + 1);
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write('retry: 3000\n\n');
    const listener = (event: ChangeEvent) => {
      if (revokes(event, userId, credential.id)) {
        end();
        return;
      }
      if (event.orgId !== orgId || !isConsoleEvent(event.type) || !isForUser(event, userId)) return;
      const { type, caseNumber, surveyId, messageId } = event;
      res.write(`event: ${type}\ndata: ${JSON.stringify({ type, caseNumber, surveyId, messageId })}\n\n`);
    };
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
    const expiry =
      credential.expiresAt === null
        ? null
        : setTimeout(() => end(), Math.max(0, Math.min(credential.expiresAt - Date.now(), MAX_TIMER_MS)));
    changes.on('change', listener);
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      if (expiry) clearTimeout(expiry);
      changes.off('change', listener);
      open.delete(end);
      const left = (perUser.get(userId) ?? 1) - 1;
      if (left > 0) perUser.set(userId, left);
      else perUser.delete(userId);
    };
    const end = () => {
      close();
      res.end();
    };
    open.add(end);
    request.raw.on('close', close);
  });
};
