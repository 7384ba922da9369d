import { expect, it } from 'vitest';
import { africasTalkingDelivery, africasTalkingInboundFields } from '../support/fake-africastalking.js';
import { describeEachDialect } from '../support/dialects.js';
import { pathOf, useCaseline, type Harness, type TestOrg } from '../support/harness.js';

/**
 * Webhook paths hold a secret of their own, apart from the number's id (DESIGN.md §13,
 * "webhook paths"); archived numbers neither receive nor send until restored ("an archived
 * number"); Africa's Talking's allow-list is a setting admins can read and edit.
 */
const OURS = '+254711082000';
const ALICE = '+254711082123';

function postAfricasTalking(h: Harness, path: string, input: { from?: string; text?: string } = {}) {
  const delivery = africasTalkingDelivery(africasTalkingInboundFields({ from: ALICE, to: OURS, text: 'Habari', ...input }));
  return h.request('POST', path, { rawBody: delivery.body, headers: delivery.headers });
}

describeEachDialect('number webhooks', (dialect) => {
  const h = useCaseline(dialect);

  async function africasTalkingNumber(org: TestOrg, extra: Record<string, unknown> = {}) {
    const res = await h.request('POST', '/api/v1/numbers', {
      token: org.admin.token,
      body: {
        provider: 'africastalking',
        channel: 'sms',
        ourNumber: OURS,
        surveyId: org.surveyId,
        theirNumberQuestion: 'phone',
        conversationQuestion: 'conversation',
        credentials: { username: 'helpline', apiKey: 'atsk_secret_key' },
        ...extra,
      },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as { id: string; webhooks: { inbound: string; status: string }; webhookTokenIsId: boolean; allowedIps: string[] };
  }

  async function stores(run: () => Promise<void>, expected: { messages: number; records: number }) {
    const before = await h.totals();
    await run();
    const after = await h.totals();
    expect({ messages: after.messages - before.messages, records: after.records - before.records }).toEqual(expected);
  }

  const patchNumber = (org: TestOrg, id: string, body: unknown) =>
    h.request('PATCH', `/api/v1/numbers/${id}`, { token: org.admin.token, body });

  it("a post to a new number's id, which every user can read, is 404 and stores nothing", async () => {
    const org = await h.newOrg();
    const number = await africasTalkingNumber(org);
    expect(number.webhookTokenIsId).toBe(false);
    expect(number.webhooks.inbound).not.toContain(number.id);
    await stores(
      async () => {
        expect((await postAfricasTalking(h, `/webhooks/africastalking/${number.id}`, { text: 'STOP' })).status).toBe(404);
        expect((await postAfricasTalking(h, `/webhooks/africastalking/${number.id}/status`)).status).toBe(404);
      },
      { messages: 0, records: 0 },
    );
    await stores(
      async () => {
        expect((await postAfricasTalking(h, pathOf(number.webhooks.inbound))).status).toBe(200);
      },
      { messages: 1, records: 1 },
    );
  });

  it('analysts and viewers get no webhook URLs, token state or allow-list; admins do', async () => {
    const org = await h.newOrg();
    const number = await africasTalkingNumber(org, { allowedIps: ['127.0.0.1'] });
    for (const role of ['analyst', 'viewer'] as const) {
      const user = await h.addUser(org.orgId, role);
      const list = await h.request('GET', '/api/v1/numbers', { token: user.token });
      const one = await h.request('GET', `/api/v1/numbers/${number.id}`, { token: user.token });
      for (const body of [...list.body.items, one.body]) {
        expect(body).toMatchObject({ webhooks: null, webhookTokenIsId: null, allowedIps: null });
      }
      const text = JSON.stringify([list.body, one.body]);
      expect(text).not.toContain(pathOf(number.webhooks.inbound).split('/').at(-1));
      expect(text).not.toContain('/webhooks/');
    }
    const admin = await h.request('GET', '/api/v1/numbers', { token: org.admin.token });
    expect(admin.body.items.find((n: { id: string }) => n.id === number.id)).toMatchObject({
      webhooks: number.webhooks,
      webhookTokenIsId: false,
      allowedIps: ['127.0.0.1'],
    });
  });

  it('rotating the webhook token: the old URL answers 404, the new one works', async () => {
    const org = await h.newOrg();
    const number = await africasTalkingNumber(org);
    expect((await postAfricasTalking(h, pathOf(number.webhooks.inbound), { text: 'before' })).status).toBe(200);

    const analyst = await h.addUser(org.orgId, 'analyst');
    expect((await h.request('POST', `/api/v1/numbers/${number.id}/webhook-token/rotate`, { token: analyst.token })).status).toBe(403);

    const rotated = await h.request('POST', `/api/v1/numbers/${number.id}/webhook-token/rotate`, { token: org.admin.token });
    expect(rotated.status).toBe(200);
    expect(rotated.body.id).toBe(number.id);
    expect(rotated.body.webhooks.inbound).not.toBe(number.webhooks.inbound);
    expect(rotated.body.webhooks.inbound).not.toContain(number.id);
    await stores(
      async () => {
        expect((await postAfricasTalking(h, pathOf(number.webhooks.inbound), { text: 'old' })).status).toBe(404);
        expect((await postAfricasTalking(h, pathOf(number.webhooks.status), { text: 'old' })).status).toBe(404);
      },
      { messages: 0, records: 0 },
    );
    await stores(
      async () => {
        expect((await postAfricasTalking(h, pathOf(rotated.body.webhooks.inbound), { text: 'after' })).status).toBe(200);
      },
      { messages: 1, records: 0 },
    );
  });

  it("another organisation's admin can neither rotate, archive, restore nor list a number: 404, nothing changes", async () => {
    const org = await h.newOrg();
    const number = await africasTalkingNumber(org);
    const other = await h.newOrg();
    for (const [method, path] of [
      ['POST', `/api/v1/numbers/${number.id}/webhook-token/rotate`],
      ['DELETE', `/api/v1/numbers/${number.id}`],
      ['POST', `/api/v1/numbers/${number.id}/restore`],
      ['GET', `/api/v1/numbers/${number.id}`],
    ] as const) {
      expect((await h.request(method, path, { token: other.admin.token })).status, `${method} ${path}`).toBe(404);
    }
    const archived = await h.request('GET', '/api/v1/numbers?archived=true', { token: other.admin.token });
    expect(archived.body.items.map((n: { id: string }) => n.id)).not.toContain(number.id);
    const mine = await h.request('GET', `/api/v1/numbers/${number.id}`, { token: org.admin.token });
    expect(mine.body.webhooks.inbound).toBe(number.webhooks.inbound);
    expect(mine.body.archivedAt).toBeNull();
    expect((await postAfricasTalking(h, pathOf(number.webhooks.inbound), { text: 'still here' })).status).toBe(200);
  });

  it('a number from before webhook tokens (token = id) keeps working at its id until rotated', async () => {
    const org = await h.newOrg();
    const created = await africasTalkingNumber(org);
    // Migration 005 gave existing numbers their id as token.
    await h.caseline().db.kysely.updateTable('numbers').set({ webhook_token: created.id }).where('id', '=', created.id).execute();
    const legacy = (await h.request('GET', `/api/v1/numbers/${created.id}`, { token: org.admin.token })).body;
    expect(legacy.webhookTokenIsId).toBe(true);
    expect(legacy.webhooks.inbound).toBe(`https://caseline.test/webhooks/africastalking/${created.id}`);
    expect((await postAfricasTalking(h, `/webhooks/africastalking/${created.id}`)).status).toBe(200);

    const rotated = await h.request('POST', `/api/v1/numbers/${created.id}/webhook-token/rotate`, { token: org.admin.token });
    expect(rotated.body.webhookTokenIsId).toBe(false);
    await stores(
      async () => {
        expect((await postAfricasTalking(h, `/webhooks/africastalking/${created.id}`, { text: 'STOP' })).status).toBe(404);
      },
      { messages: 0, records: 0 },
    );
    expect((await postAfricasTalking(h, pathOf(rotated.body.webhooks.inbound), { text: 'still here' })).status).toBe(200);
  });

  it('archive: webhooks 404, the case stays readable, a reply is refused number_archived; restore brings both back', async () => {
    const org = await h.newOrg();
    const analyst = await h.addUser(org.orgId, 'analyst');
    expect((await h.text(org, '+447700900123', 'hello')).status).toBe(200);
    const n = (await h.records(org))[0]!.caseNumber;
    expect((await h.request('POST', `/api/v1/records/${n}/lock`, { token: org.admin.token })).status).toBe(200);

    expect((await h.request('DELETE', `/api/v1/numbers/${org.numberId}`, { token: analyst.token })).status).toBe(403);
    expect((await h.request('DELETE', `/api/v1/numbers/${org.numberId}`, { token: org.admin.token })).status).toBe(204);

    await stores(
      async () => {
        const res = await h.text(org, '+447700900123', 'anyone there?');
        expect(res.status).toBe(404);
        expect(res.body.error.code).toBe('not_found');
      },
      { messages: 0, records: 0 },
    );
    expect((await h.record(org, n)).messages).toHaveLength(1);

    const live = await h.request('GET', '/api/v1/numbers', { token: org.admin.token });
    expect(live.body.items.map((x: { id: string }) => x.id)).not.toContain(org.numberId);
    const archived = await h.request('GET', '/api/v1/numbers?archived=true', { token: org.admin.token });
    expect(archived.body.items).toEqual([expect.objectContaining({ id: org.numberId, archivedAt: expect.any(String) })]);
    expect((await h.request('GET', '/api/v1/numbers?archived=true', { token: analyst.token })).status).toBe(403);
    expect((await h.request('GET', `/api/v1/numbers/${org.numberId}`, { token: analyst.token })).body.archivedAt).toEqual(
      expect.any(String),
    );

    const refused = await h.reply(org, n, 'Are you safe?');
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('number_archived');
    expect(refused.body.error.message).toMatch(/admin can restore/);
    expect((await patchNumber(org, org.numberId, { multiCaseReply: 'x' })).body.error.code).toBe('number_archived');

    expect((await h.request('POST', `/api/v1/numbers/${org.numberId}/restore`, { token: analyst.token })).status).toBe(403);
    const restored = await h.request('POST', `/api/v1/numbers/${org.numberId}/restore`, { token: org.admin.token });
    expect(restored.status).toBe(200);
    expect(restored.body).toMatchObject({
      id: org.numberId,
      archivedAt: null,
      webhooks: { inbound: `https://caseline.test${org.webhookPath}` },
    });
    expect((await h.text(org, '+447700900123', 'back again')).status).toBe(200);
    expect((await h.reply(org, n, 'Are you safe?')).status).toBe(202);
    expect(await h.conversation(org, n)).toEqual(['hello', 'back again', `Are you safe? #${n}`]);
  });

  it('a reply queued before its number was archived fails with the reason instead of retrying', async () => {
    const org = await h.newOrg();
    expect((await h.text(org, '+447700900124', 'hello')).status).toBe(200);
    const n = (await h.records(org))[0]!.caseNumber;
    await h.request('POST', `/api/v1/records/${n}/lock`, { token: org.admin.token });
    expect((await h.reply(org, n, 'On our way')).status).toBe(202);
    await h.request('DELETE', `/api/v1/numbers/${org.numberId}`, { token: org.admin.token });
    await h.caseline().outbox.runOnce();
    expect(await h.lastMessage(org, n)).toMatchObject({ status: 'failed', error: { code: 'number_archived' } });
  });

  it('the allow-list is a setting: CIDR ranges, kept when credentials change, cleared with null', async () => {
    const org = await h.newOrg();
    const number = await africasTalkingNumber(org, { allowedIps: ['10.0.0.0/8'] });
    expect(number.allowedIps).toEqual(['10.0.0.0/8']);
    const inbound = pathOf(number.webhooks.inbound);
    await stores(
      async () => {
        const res = await postAfricasTalking(h, inbound);
        expect(res.status).toBe(403);
        expect(res.body.error.code).toBe('invalid_signature');
      },
      { messages: 0, records: 0 },
    );

    expect((await patchNumber(org, number.id, { allowedIps: ['10.0.0.0/8', '127.0.0.0/8'] })).body.allowedIps).toEqual([
      '10.0.0.0/8',
      '127.0.0.0/8',
    ]);
    expect((await postAfricasTalking(h, inbound, { text: 'in range' })).status).toBe(200);

    // New credentials without a list keep the list.
    const rekeyed = await patchNumber(org, number.id, { credentials: { username: 'helpline', apiKey: 'atsk_new_key' } });
    expect(rekeyed.body.allowedIps).toEqual(['10.0.0.0/8', '127.0.0.0/8']);

    const bad = await patchNumber(org, number.id, { allowedIps: ['10.0.0.0/33'] });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'validation_failed', details: { field: 'allowedIps' } });
    expect((await h.request('GET', `/api/v1/numbers/${number.id}`, { token: org.admin.token })).body.allowedIps).toEqual([
      '10.0.0.0/8',
      '127.0.0.0/8',
    ]);

    expect((await patchNumber(org, number.id, { allowedIps: ['10.0.0.0/8'] })).status).toBe(200);
    expect((await postAfricasTalking(h, inbound, { text: 'out of range' })).status).toBe(403);
    const cleared = await patchNumber(org, number.id, { allowedIps: null });
    expect(cleared.body.allowedIps, JSON.stringify(cleared.body)).toEqual([]);
    expect((await postAfricasTalking(h, inbound, { text: 'anyone' })).status).toBe(200);
  });

  it('a list saved inside the credentials, as before it was a setting, is shown and still applied', async () => {
    const org = await h.newOrg();
    const number = await africasTalkingNumber(org, {
      credentials: { username: 'helpline', apiKey: 'atsk_secret_key', allowedIps: ['10.1.2.3'] },
    });
    expect(number.allowedIps).toEqual(['10.1.2.3']);
    expect((await postAfricasTalking(h, pathOf(number.webhooks.inbound))).status).toBe(403);
    const sandbox = await patchNumber(org, org.numberId, { allowedIps: ['10.0.0.1'] });
    expect(sandbox.status).toBe(400);
    expect(sandbox.body.error.details).toEqual({ field: 'allowedIps' });
  });
});
