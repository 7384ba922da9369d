import type { FastifyPluginAsync } from 'fastify';
import type { ChangeEvent, Db } from '../../db/database.js';
import { actorOf, requireAuth } from '../auth.js';

const HEARTBEAT_MS = 25_000;
/** The changes a console shows; the rest are for the server's own processes. */
const CLIENT_EVENTS = new Set<ChangeEvent['type']>(['record.created', 'record.updated', 'message.added', 'message.status']);

/** Server-sent events: the organisation's committed changes, as they happen. */
export const eventRoutes: FastifyPluginAsync<{ db: Db }> = async (app, { db }) => {
  const open = new Set<() => void>();
  // Streams never end on their own; shutting down must end them or close() would wait.
  app.addHook('onClose', async () => {
    for (const end of open) end();
  });

  app.get('/events', { schema: { tags: ['events'] }, preHandler: requireAuth }, async (request, reply) => {
    const { orgId } = actorOf(request);
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
      if (event.orgId !== orgId || !CLIENT_EVENTS.has(event.type)) return;
      const { type, caseNumber, surveyId, messageId } = event;
      res.write(`event: ${type}\ndata: ${JSON.stringify({ type, caseNumber, surveyId, messageId })}\n\n`);
    };
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
    db.changes.on('change', listener);
    const close = () => {
      clearInterval(heartbeat);
      db.changes.off('change', listener);
      open.delete(end);
    };
    const end = () => {
      close();
      res.end();
    };
    open.add(end);
    request.raw.on('close', close);
  });
};
