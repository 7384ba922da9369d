import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadMedia } from '../../../src/providers/media-download.js';
import { SendError } from '../../../src/providers/provider.js';
import { sendError } from '../../support/provider-test-kit.js';

/**
 * The download every adapter shares (DESIGN.md §6): redirects followed without carrying
 * credentials to another origin, and each kind of answer sorted into a file, a failure to
 * retry, or one to give up on, with a reason that never names the URL.
 */
type Handler = (req: IncomingMessage, res: ServerResponse) => void;

async function listen(handler: Handler): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const read = async (body: AsyncIterable<Uint8Array>) => {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString();
};

describe('media downloads', () => {
  const seen: Array<{ host: 'api' | 'storage'; path: string; authorization?: string }> = [];
  let api: { server: Server; url: string };
  let storage: { server: Server; url: string };
  const signal = () => AbortSignal.timeout(5000);

  beforeAll(async () => {
    storage = await listen((req, res) => {
      seen.push({ host: 'storage', path: req.url ?? '', authorization: req.headers.authorization });
      res.writeHead(200, { 'content-type': 'image/png', 'content-disposition': `attachment; filename*=UTF-8''scan%20one.png` });
      res.end('png bytes');
    });
    api = await listen((req, res) => {
      seen.push({ host: 'api', path: req.url ?? '', authorization: req.headers.authorization });
      const status = /^\/status\/(\d+)$/.exec(req.url ?? '')?.[1];
      if (req.url === '/elsewhere') res.writeHead(307, { location: `${storage.url}/file?Signature=abc` }).end();
      else if (req.url === '/here') res.writeHead(302, { location: '/file' }).end();
      else if (req.url === '/loop') res.writeHead(302, { location: '/loop' }).end();
      else if (req.url === '/hang') return;
      else if (status) res.writeHead(Number(status), status === '429' ? { 'retry-after': '7' } : {}).end();
      else
        res
          .writeHead(200, {
            'content-type': 'text/plain',
            'content-length': '4',
            'content-disposition': 'attachment; filename="a \\"b\\".txt"',
          })
          .end('text');
    });
  });
  afterAll(() => {
    for (const { server } of [api, storage]) server.closeAllConnections();
    api.server.close();
    storage.server.close();
  });

  it('a redirect to another origin is followed without the credentials', async () => {
    const file = await downloadMedia('Twilio', `${api.url}/elsewhere`, { authorization: 'Basic c2VjcmV0' }, signal());
    expect(await read(file.body)).toBe('png bytes');
    expect(file).toMatchObject({ contentType: 'image/png', name: 'scan one.png' });
    expect(seen.filter((s) => s.host === 'api').at(-1)!.authorization).toBe('Basic c2VjcmV0');
    expect(seen.filter((s) => s.host === 'storage').at(-1)!.authorization).toBeUndefined();
  });

  it('a redirect within the origin keeps them, and a quoted file name is read', async () => {
    const file = await downloadMedia('Vonage', `${api.url}/here`, { authorization: 'Bearer jwt' }, signal());
    expect(await read(file.body)).toBe('text');
    expect(file).toMatchObject({ name: 'a "b".txt', length: 4 });
    expect(seen.at(-1)).toMatchObject({ host: 'api', path: '/file', authorization: 'Bearer jwt' });
  });

  it.each([
    [404, 'permanent', 'Twilio no longer has this file (404)'],
    [410, 'permanent', 'Twilio no longer has this file (410)'],
    [403, 'permanent', 'Twilio refused access to this file (403)'],
    [401, 'permanent', 'Twilio refused the number’s credentials for this file (401)'],
    [400, 'permanent', 'Twilio refused the download (HTTP 400)'],
    [500, 'transient', 'Twilio could not send the file just now (HTTP 500)'],
    [429, 'transient', 'Twilio could not send the file just now (HTTP 429)'],
  ] as const)('HTTP %i is a %s failure: "%s"', async (status, kind, reason) => {
    const error = await sendError(downloadMedia('Twilio', `${api.url}/status/${status}`, {}, signal()));
    expect(error).toMatchObject({ kind, reason, options: { code: String(status) } });
    if (status === 429) expect(error.options.retryAfterMs).toBe(7000);
  });

  it('an endless redirect, an unreachable host and a missed deadline fail without naming the URL', async () => {
    const loop = await sendError(downloadMedia('Twilio', `${api.url}/loop`, {}, signal()));
    expect(loop).toMatchObject({ kind: 'permanent', reason: 'Twilio redirected the download too many times' });
    const closed = await listen(() => {});
    await new Promise((resolve) => closed.server.close(resolve));
    const unreachable = await sendError(downloadMedia('Vonage', `${closed.url}/v3/media/x?token=secret`, {}, signal()));
    expect(unreachable).toMatchObject({ kind: 'transient', reason: 'Vonage could not be reached (ECONNREFUSED)' });
    const late = await sendError(downloadMedia('WhatsApp', `${api.url}/hang`, {}, AbortSignal.timeout(100)));
    expect(late).toMatchObject({ kind: 'transient', reason: 'WhatsApp did not send the file in time' });
    for (const error of [loop, unreachable, late]) expect(error.reason).not.toMatch(/127\.0\.0\.1|secret/);
  });

  it('an address that is not a web address is refused before any request', async () => {
    const error = await sendError(downloadMedia('Twilio', 'file:///etc/passwd', {}, signal()));
    expect(error).toBeInstanceOf(SendError);
    expect(error).toMatchObject({ kind: 'permanent', options: { code: 'bad_url' } });
  });
});
