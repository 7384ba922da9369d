import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeEachDialect } from '../support/dialects.js';
import { useCaseline, type TestOrg } from '../support/harness.js';
import { drainJobs } from '../support/inbound-media-kit.js';
import { upload } from '../support/person-kit.js';

const PHOTO = readFileSync(new URL('../fixtures/media/photo.png', import.meta.url));
const PHONE = '+447700900555';

interface SimulatorItem {
  direction: string;
  text: string;
  media: { id: string; contentType: string | null; name: string | null; status: string; url: string }[];
}

/** The phone simulator sends and shows files (DESIGN.md §6), on both dialects. */
describeEachDialect('the phone simulator with files', (dialect) => {
  const h = useCaseline(dialect, { startOutbox: true, outbox: { pollMs: 50 } });
  const simulator = (org: TestOrg) => `/api/v1/numbers/${org.numberId}/simulator`;
  const phone = async (org: TestOrg) =>
    (
      await h.request<{ items: SimulatorItem[] }>('GET', `${simulator(org)}?contact=${encodeURIComponent(PHONE)}`, {
        token: org.admin.token,
      })
    ).body.items;

  describe('sending', () => {
    it('a photo from the simulated phone is kept with its message, served back byte for byte, and shown on the phone', async () => {
      const org = await h.newOrg();
      const id = await upload(h, org.admin.token, PHOTO, 'damp wall.png', 'image/png');
      const sent = await h.request('POST', simulator(org), {
        token: org.admin.token,
        body: { from: PHONE, text: 'The wall', media: [id] },
      });
      expect(sent.status).toBe(202);
      // The webhook stores the message with its file pending; the jobs link the upload.
      await drainJobs(h);

      const [found] = await h.records(org);
      const [message] = (await h.record(org, found!.caseNumber)).messages;
      expect(message.text).toBe('The wall');
      expect(message.media).toMatchObject([{ contentType: 'image/png', name: 'damp wall.png', size: PHOTO.length, status: 'stored' }]);
      const served = await h.caseline().app.inject({
        method: 'GET',
        url: message.media[0].url,
        headers: { authorization: `Bearer ${org.admin.token}` },
      });
      expect(served.statusCode).toBe(200);
      expect(served.rawPayload.equals(PHOTO)).toBe(true);

      const [shown] = await phone(org);
      expect(shown).toMatchObject({ direction: 'in', text: 'The wall', media: [{ id: message.media[0].id, status: 'stored' }] });
    });

    it('a file alone, without text, is a message', async () => {
      const org = await h.newOrg();
      const id = await upload(h, org.admin.token, PHOTO, 'photo.png', 'image/png');
      const sent = await h.request('POST', simulator(org), { token: org.admin.token, body: { from: PHONE, text: '', media: [id] } });
      expect(sent.status).toBe(202);
      await drainJobs(h);
      expect(await phone(org)).toMatchObject([{ text: '', media: [{ contentType: 'image/png', status: 'stored' }] }]);
    });

    it('a reply with a photo reaches the phone, which shows it', async () => {
      const org = await h.newOrg();
      await h.request('POST', simulator(org), { token: org.admin.token, body: { from: PHONE, text: 'Hello' } });
      const [found] = await h.records(org);
      const n = found!.caseNumber;
      await h.request('POST', `/api/v1/records/${n}/lock`, { token: org.admin.token });
      const id = await upload(h, org.admin.token, PHOTO, 'map.png', 'image/png');
      const reply = await h.request('POST', `/api/v1/records/${n}/notifications`, {
        token: org.admin.token,
        body: { target: 'conversation', text: 'Here is the way to us', media: [id] },
      });
      expect(reply.status).toBe(202);
      await h.waitForStatus(org, n, 'delivered');

      const shown = (await phone(org)).at(-1);
      expect(shown).toMatchObject({ direction: 'out', media: [{ contentType: 'image/png', name: 'map.png', status: 'stored' }] });
    });
  });

  describe('refusals', () => {
    it('the phone cannot send another organisation’s upload, nor an unknown one, and nothing is stored', async () => {
      const org = await h.newOrg();
      const other = await h.newOrg();
      const theirs = await upload(h, other.admin.token, PHOTO, 'theirs.png', 'image/png');
      const before = await h.totals();
      for (const id of [theirs, randomUUID()]) {
        const sent = await h.request('POST', simulator(org), { token: org.admin.token, body: { from: PHONE, text: 'Look', media: [id] } });
        expect(sent.status).toBe(400);
        expect(sent.body.error.code).toBe('validation_failed');
      }
      expect(await h.totals()).toEqual(before);
    });

    it('a message with neither text nor a file is refused', async () => {
      const org = await h.newOrg();
      const sent = await h.request('POST', simulator(org), { token: org.admin.token, body: { from: PHONE, text: '  ' } });
      expect(sent.status).toBe(400);
      expect(sent.body.error.code).toBe('validation_failed');
    });
  });
});
