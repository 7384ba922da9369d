import Fastify from 'fastify';

/**
 * The ceiling for ingest: a bare Fastify server whose one webhook route parses the same
 * urlencoded Twilio form and answers `<Response/>` as text/xml, and does nothing else (no
 * signature check, no database). Whatever the full server reaches is measured against this,
 * in the same run, with the same load generator on the same cores.
 */
const ACKNOWLEDGEMENT = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

const app = Fastify({ logger: false, bodyLimit: 256 * 1024 });
app.removeAllContentTypeParsers();
app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
  done(null, Object.fromEntries(new URLSearchParams(body as string)));
});

let parsed = 0;
app.post<{ Params: { numberId: string }; Body: Record<string, string> }>('/webhooks/twilio/:numberId', async (request, reply) => {
  // Touch the fields the real handler needs, so the parse cannot be optimised away.
  if (request.body.MessageSid && request.body.From) parsed += 1;
  return reply.type('text/xml').send(ACKNOWLEDGEMENT);
});
app.get('/healthz', () => ({ status: 'ok', parsed }));

await app.listen({ port: Number(process.env.PORT ?? 0), host: process.env.HOST ?? '127.0.0.1' });
const stop = () => void app.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
