import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** What the receiver does with the next request: answer with a status, drop the connection, or never answer. */
export type ReceiverAnswer = number | 'reset' | 'hang';

export interface ReceivedWebhook {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  json: { id: string; event: string; at: string; data: Record<string, unknown> };
}

/**
 * An outbound webhook receiver on 127.0.0.1: a real node:http server that records what it
 * receives and answers as scripted (200 once the script runs out). `stop` and `start` again
 * keep its port, so a test can make it refuse connections for a while.
 */
export async function startWebhookReceiver() {
  const received: ReceivedWebhook[] = [];
  const script: ReceiverAnswer[] = [];
  const sockets = new Set<Socket>();
  let server: Server;
  let port = 0;

  const listen = async () => {
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const answer = script.shift() ?? 200;
        if (answer === 'reset') {
          request.socket.destroy();
          return;
        }
        if (answer === 'hang') return;
        const body = Buffer.concat(chunks).toString('utf8');
        if (answer >= 200 && answer < 300)
          received.push({ path: request.url ?? '', headers: request.headers, body, json: JSON.parse(body) as ReceivedWebhook['json'] });
        response.writeHead(answer, { 'content-type': 'text/plain' }).end(answer >= 200 && answer < 300 ? 'ok' : 'not now');
      });
    });
    server.on('connection', (socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  };
  await listen();

  return {
    /** Deliveries it answered with a 2xx, in arrival order. */
    received,
    url: (path = '/hooks') => `http://127.0.0.1:${port}${path}`,
    /** Answers for the next requests, in order. */
    answerNext: (...answers: ReceiverAnswer[]) => script.push(...answers),
    /** What arrived at `path`, optionally of one event. */
    at: (path: string, event?: string) => received.filter((r) => r.path === path && (event === undefined || r.json.event === event)),
    clear: () => {
      received.length = 0;
      script.length = 0;
    },
    async stop(): Promise<void> {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    start: listen,
  };
}

export type WebhookReceiver = Awaited<ReturnType<typeof startWebhookReceiver>>;
