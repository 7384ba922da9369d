import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WebhookRequest } from '../../src/providers/provider.js';

/**
 * The common half of the fake providers: an HTTP server on 127.0.0.1 that records what it
 * receives and can be told to fail, plus helpers to deliver webhooks the way providers do.
 */

/** `timeout` holds the request open without an answer until the client gives up. */
export type FailureKind = '500' | '429' | 'timeout' | { status: number; body: unknown; headers?: Record<string, string> };

export interface RecordedRequest<B = unknown> {
  method: string;
  /** The path without the query string. */
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  rawBody: string;
  /** The body's bytes as received: a multipart upload is binary. */
  rawBytes: Buffer;
  /** JSON bodies parsed; form bodies as name → value; anything else as text. */
  body: B;
  /** When the request arrived (ms since the epoch), for pacing checks. */
  receivedAt: number;
}

/** A request the fake accepted, with the id it answered with. */
export type SentRequest<B> = RecordedRequest<B> & { id: string };

export interface FakeReply {
  status: number;
  /** A string is sent as is; anything else as JSON. */
  body: unknown;
  headers?: Record<string, string>;
}

export interface FakeServer {
  url: string;
  /** Every request received, including refused and failed ones. */
  requests: RecordedRequest[];
  /** The next `n` requests fail in this way. */
  failNext(n: number, kind?: FailureKind): void;
  /** From now on a share `ratio` (0–1) of requests fail in this way (one of these ways, at random); 0 turns it off. */
  failRatio(ratio: number, kind?: FailureKind | FailureKind[]): void;
  /** From now on every answer waits this long, as a real provider's API takes time to answer. */
  answerAfter(ms: number): void;
  close(): Promise<void>;
}

export interface FakeServerBehaviour {
  handle(request: RecordedRequest): FakeReply | Promise<FakeReply>;
  /** The provider's own answer to an overload or an outage. */
  failure(kind: '500' | '429'): FakeReply;
}

export async function startFakeServer(behaviour: FakeServerBehaviour): Promise<FakeServer> {
  const requests: RecordedRequest[] = [];
  const queued: FailureKind[] = [];
  let ratio = 0;
  let ratioKinds: FailureKind[] = ['500'];
  let latencyMs = 0;

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const rawBytes = Buffer.concat(chunks);
      const rawBody = rawBytes.toString('utf8');
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const recorded: RecordedRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: req.headers,
        rawBody,
        rawBytes,
        body: parseBody(req.headers['content-type'], rawBody),
        receivedAt: Date.now(),
      };
      requests.push(recorded);

      const failure =
        queued.shift() ?? (ratio > 0 && Math.random() < ratio ? ratioKinds[Math.floor(Math.random() * ratioKinds.length)] : undefined);
      if (failure === 'timeout') return; // never answered; close() drops the connection
      const reply = async (): Promise<FakeReply> => {
        if (failure === '500' || failure === '429') return behaviour.failure(failure);
        if (failure) return { status: failure.status, body: failure.body, headers: failure.headers };
        return behaviour.handle(recorded);
      };
      const answerAt = Date.now() + latencyMs;
      reply().then(
        (answer) => setTimeout(() => writeReply(res, answer), answerAt - Date.now()),
        (error: unknown) => writeReply(res, { status: 500, body: `fake provider crashed: ${String(error)}` }),
      );
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    failNext(n, kind = '500') {
      for (let i = 0; i < n; i += 1) queued.push(kind);
    },
    failRatio(next, kind = '500') {
      ratio = next;
      ratioKinds = Array.isArray(kind) ? kind : [kind];
    },
    answerAfter(ms) {
      latencyMs = ms;
    },
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

function writeReply(res: ServerResponse, reply: FakeReply): void {
  const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
  const contentType = typeof reply.body === 'string' ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8';
  res.writeHead(reply.status, { 'content-type': contentType, ...reply.headers });
  res.end(text);
}

function parseBody(contentType: string | undefined, rawBody: string): unknown {
  if (contentType?.includes('application/json')) {
    try {
      return JSON.parse(rawBody) as unknown;
    } catch {
      return rawBody;
    }
  }
  if (contentType?.includes('application/x-www-form-urlencoded')) {
    return Object.fromEntries(new URLSearchParams(rawBody));
  }
  return rawBody;
}

/** A webhook as a provider would send it: the headers it adds and the exact body bytes. */
export interface WebhookDelivery {
  headers: Record<string, string>;
  body: string;
}

export interface WebhookResponse {
  status: number;
  contentType: string | null;
  body: string;
}

/** POSTs a webhook delivery to our server, as the provider would. */
export async function deliverWebhook(url: string, delivery: WebhookDelivery): Promise<WebhookResponse> {
  const response = await fetch(url, { method: 'POST', headers: delivery.headers, body: delivery.body });
  return { status: response.status, contentType: response.headers.get('content-type'), body: await response.text() };
}

/** The same delivery as an adapter sees it, for unit tests that need no server. */
export function webhookRequestFrom(
  url: string,
  delivery: WebhookDelivery,
  options: { remoteAddress?: string; method?: string } = {},
): WebhookRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(delivery.headers)) headers[name.toLowerCase()] = value;
  return {
    method: options.method ?? 'POST',
    publicUrl: url,
    headers,
    rawBody: Buffer.from(delivery.body, 'utf8'),
    query: Object.fromEntries(new URL(url).searchParams),
    remoteAddress: options.remoteAddress ?? '127.0.0.1',
  };
}

export function formBody(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

export interface WebhookRecorder {
  url: string;
  /** Each webhook as an adapter would see it, with `publicUrl` as the provider called it. */
  received: WebhookRequest[];
  close(): Promise<void>;
}

/** A stand-in for our webhook endpoint: records what fakes deliver and answers 200. */
export async function startWebhookRecorder(
  answer: FakeReply = { status: 200, body: '<Response/>', headers: { 'content-type': 'text/xml' } },
): Promise<WebhookRecorder> {
  const received: WebhookRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
      const headers: WebhookRequest['headers'] = {};
      for (const [name, value] of Object.entries(req.headers)) headers[name] = value;
      received.push({
        method: req.method ?? 'GET',
        publicUrl: url.toString(),
        headers,
        rawBody: Buffer.concat(chunks),
        query: Object.fromEntries(url.searchParams),
        remoteAddress: req.socket.remoteAddress ?? '',
      });
      writeReply(res, answer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
