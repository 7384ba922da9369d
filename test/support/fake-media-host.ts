import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Where the fake providers keep inbound media files (DESIGN.md §6): Twilio's storage host
 * that its API redirects to, Meta's download host, Vonage's media URLs. Files are streamed
 * in chunks with back-pressure, so a client that stops reading leaves the download cut
 * off, and each download records how far it got. Each file has its own check of the
 * credentials (401 otherwise) and its own queue of failures.
 */

export interface HostedFile {
  bytes: Buffer;
  contentType: string;
  /** Sent as `Content-Disposition: attachment; filename=…` when given. */
  fileName?: string;
  /** Send `Content-Length` (true unless asked otherwise): without it the body is chunked. */
  contentLength?: boolean;
}

/** `hang`: the request is held open, unanswered, until `releaseHangs()` or `close()`. */
export type MediaFault = { status: number; body?: string } | 'hang';

/** Decides whether a request may have the file; its answer when not is 401 (or the reply given). */
export type MediaCheck = (request: IncomingMessage, url: URL) => boolean | { status: number; body: string };

export interface MediaDownload {
  /** The path and query string asked for. */
  target: string;
  /** The Authorization header the request carried, if any. */
  authorization: string | undefined;
  status: number;
  /** Bytes of the file written before the connection ended. */
  bytesSent: number;
  /** The whole file was written and the response finished. */
  completed: boolean;
  /** The connection ended (finished or cut off). */
  ended: boolean;
}

export interface FakeMediaHost {
  url: string;
  /** Every request, in order, as it went. */
  downloads: MediaDownload[];
  /** Serves `file` at `target` (a path with its query string) to requests `check` lets through; returns the full URL. */
  serve(target: string, file: HostedFile, check?: MediaCheck): string;
  /** The next requests for `target` fail in these ways, in order. */
  failNext(target: string, ...faults: MediaFault[]): void;
  /** Answers every held request with 503 (a test ends its hang this way). */
  releaseHangs(): void;
  close(): Promise<void>;
}

const CHUNK = 64 * 1024;

export async function startFakeMediaHost(): Promise<FakeMediaHost> {
  const files = new Map<string, { file: HostedFile; check?: MediaCheck }>();
  const faults = new Map<string, MediaFault[]>();
  const downloads: MediaDownload[] = [];
  const held = new Set<ServerResponse>();

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const target = `${url.pathname}${url.search}`;
    const download: MediaDownload = {
      target,
      authorization: req.headers.authorization,
      status: 0,
      bytesSent: 0,
      completed: false,
      ended: false,
    };
    downloads.push(download);
    res.on('close', () => {
      download.ended = true;
      held.delete(res);
    });
    const answer = (status: number, body: string) => {
      download.status = status;
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(body);
    };

    const fault = faults.get(target)?.shift();
    if (fault === 'hang') {
      held.add(res);
      return;
    }
    if (fault) {
      answer(fault.status, fault.body ?? '');
      return;
    }
    const hosted = files.get(target);
    if (!hosted) {
      answer(404, 'Not Found');
      return;
    }
    const verdict = hosted.check ? hosted.check(req, url) : true;
    if (verdict !== true) {
      if (verdict === false) answer(401, 'Unauthorized');
      else answer(verdict.status, verdict.body);
      return;
    }

    const { file } = hosted;
    download.status = 200;
    res.writeHead(200, {
      'content-type': file.contentType,
      ...(file.contentLength === false ? {} : { 'content-length': String(file.bytes.length) }),
      ...(file.fileName ? { 'content-disposition': `attachment; filename="${file.fileName}"` } : {}),
    });
    void stream(res, file.bytes, download);
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;

  return {
    url: base,
    downloads,
    serve(target, file, check) {
      files.set(target, { file, check });
      return `${base}${target}`;
    },
    failNext(target, ...more) {
      faults.set(target, [...(faults.get(target) ?? []), ...more]);
    },
    releaseHangs() {
      for (const res of held) {
        res.writeHead(503, { 'content-type': 'text/plain' });
        res.end('Service Unavailable');
      }
      held.clear();
    },
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

/** Writes the bytes a chunk at a time, waiting whenever the client is not reading, and stops if it goes away. */
async function stream(res: ServerResponse, bytes: Buffer, download: MediaDownload): Promise<void> {
  for (let offset = 0; offset < bytes.length; offset += CHUNK) {
    if (res.destroyed) return;
    const chunk = bytes.subarray(offset, offset + CHUNK);
    const more = res.write(chunk);
    download.bytesSent += chunk.length;
    if (!more) {
      await new Promise<void>((resolve) => {
        const done = () => {
          res.off('drain', done);
          res.off('close', done);
          resolve();
        };
        res.on('drain', done);
        res.on('close', done);
      });
    }
  }
  if (res.destroyed) return;
  res.end(() => {
    download.completed = true;
  });
}
