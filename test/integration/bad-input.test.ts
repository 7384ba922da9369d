import { expect, it } from 'vitest';
import { signSandboxBody } from '../../src/providers/sandbox.js';
import { describeEachDialect } from '../support/dialects.js';
import { useCaseline } from '../support/harness.js';

/** Bad input gets a clear error and changes nothing. */
describeEachDialect('bad input', (dialect) => {
  const h = useCaseline(dialect);
  const ALICE = '+447700900123';
  const BOB = '+447700900456';

  async function nothingStored(run: () => Promise<void>) {
    const before = { messages: await h.count('messages'), records: await h.count('records') };
    await run();
    expect({ messages: await h.count('messages'), records: await h.count('records') }).toEqual(before);
  }

  const webhook = (path: string, raw: string | Buffer, signature: string | null, contentType = 'application/json') =>
    h.request('POST', path, {
      rawBody: raw,
      headers: { 'content-type': contentType, ...(signature === null ? {} : { 'x-caseline-signature': signature }) },
    });

  it('a webhook with a bad signature is 403 and stores nothing', async () => {
    const org = await h.newOrg();
    const raw = JSON.stringify({ id: 'm1', from: ALICE, text: 'hi' });
    await nothingStored(async () => {
      const wrongSecret = await webhook(org.webhookPath, raw, signSandboxBody('not-the-secret', raw));
      expect(wrongSecret.status).toBe(403);
      expect(wrongSecret.body.error.code).toBe('invalid_signature');
      const tampered = await webhook(org.webhookPath, raw.replace('hi', 'ho'), signSandboxBody(org.webhookSecret, raw));
      expect(tampered.status).toBe(403);
      const unsigned = await webhook(org.webhookPath, raw, null);
      expect(unsigned.status).toBe(403);
    });
  });

  it('malformed JSON and missing fields are 400 and store nothing', async () => {
    const org = await h.newOrg();
    const bodies = [
      '{"id": "m1", "from": ',
      '[]',
      '{}',
      JSON.stringify({ id: 'm1', text: 'no sender' }),
      JSON.stringify({ from: ALICE, text: 'no id' }),
      JSON.stringify({ id: 'm1', from: ALICE }),
    ];
    await nothingStored(async () => {
      for (const raw of bodies) {
        const res = await webhook(org.webhookPath, raw, signSandboxBody(org.webhookSecret, raw));
        expect(res.status, raw).toBe(400);
        expect(res.body.error.code).toBe('bad_request');
      }
    });
  });

  it('a sender that is not a phone number is 400 and stores nothing', async () => {
    const org = await h.newOrg();
    await nothingStored(async () => {
      for (const from of ['not-a-number', '12', '+1', '']) {
        const raw = JSON.stringify({ id: `m-${from}`, from, text: 'hi' });
        const res = await webhook(org.webhookPath, raw, signSandboxBody(org.webhookSecret, raw));
        expect(res.status, from).toBe(400);
      }
    });
  });

  it('an unknown number, or the wrong provider for a number, is 404 and stores nothing', async () => {
    const org = await h.newOrg();
    const raw = JSON.stringify({ id: 'm1', from: ALICE, text: 'hi' });
    await nothingStored(async () => {
      expect((await webhook('/webhooks/sandbox/no-such-number', raw, signSandboxBody(org.webhookSecret, raw))).status).toBe(404);
      const wrongProvider = await h.request('POST', org.webhookPath.replace('/sandbox/', '/twilio/'), {
        rawBody: raw,
        headers: { 'content-type': 'application/json' },
      });
      expect(wrongProvider.status).toBe(404);
      expect((await h.request('POST', org.webhookPath.replace('/sandbox/', '/nonsense/'), { rawBody: raw })).status).toBe(404);
    });
  });

  it('a deleted number stops receiving', async () => {
    const org = await h.newOrg();
    expect((await h.request('DELETE', `/api/v1/numbers/${org.numberId}`, { token: org.admin.token })).status).toBe(204);
    await nothingStored(async () => {
      expect((await h.text(org, ALICE, 'anyone there?')).status).toBe(404);
    });
  });

  it('an oversized webhook body is 413 and stores nothing', async () => {
    const org = await h.newOrg();
    const raw = JSON.stringify({ id: 'big', from: ALICE, text: 'x'.repeat(300 * 1024) });
    await nothingStored(async () => {
      const res = await webhook(org.webhookPath, raw, signSandboxBody(org.webhookSecret, raw));
      expect(res.status).toBe(413);
      expect(res.body.error.code).toBe('payload_too_large');
    });
  });

  it('API bodies that do not fit the schema are 400 with a message', async () => {
    const org = await h.newOrg();
    const t = org.admin.token;
    const cases = await Promise.all([
      h.request('POST', '/api/v1/surveys', { token: t, body: { name: 'x' } }),
      h.request('POST', '/api/v1/surveys', {
        token: t,
        body: {
          name: 'x',
          questions: [{ name: 's', label: 'S', type: 'select_one' }],
          caseManagement: { statusQuestion: 's', finalStatus: 'done' },
        },
      }),
      h.request('POST', '/api/v1/numbers', {
        token: t,
        body: {
          provider: 'sandbox',
          channel: 'sms',
          ourNumber: '+44 77',
          surveyId: org.surveyId,
          theirNumberQuestion: 'phone',
          conversationQuestion: 'conversation',
        },
      }),
      h.request('POST', '/api/v1/numbers', {
        token: t,
        body: {
          provider: 'sandbox',
          channel: 'sms',
          ourNumber: '+447700900001',
          surveyId: org.surveyId,
          theirNumberQuestion: 'status',
          conversationQuestion: 'conversation',
        },
      }),
      h.request('POST', '/api/v1/users', { token: t, body: { email: 'new@example.org', name: 'n', role: 'admin', password: 'short' } }),
      h.request('POST', '/api/v1/users', {
        token: t,
        body: { email: 'new@example.org', name: 'n', role: 'superuser', password: 'long-enough-password' },
      }),
      h.request('GET', '/api/v1/records/not-a-number', { token: t }),
      h.request('GET', `/api/v1/surveys/${org.surveyId}/records?status=maybe`, { token: t }),
      h.request('GET', `/api/v1/surveys/${org.surveyId}/records?cursor=%%%`, { token: t }),
      h.request('POST', '/api/v1/session', { rawBody: '{"email":', headers: { 'content-type': 'application/json' } }),
    ]);
    for (const res of cases) {
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.error.message.length).toBeGreaterThan(0);
    }
    expect((await h.request('GET', '/api/v1/surveys', { token: t })).body.items).toHaveLength(1);
  });

  it('a reply that is empty or too long is refused and nothing is queued', async () => {
    const org = await h.newOrg();
    await h.text(org, ALICE, 'hi');
    const n = (await h.records(org))[0]!.caseNumber;
    await h.request('POST', `/api/v1/records/${n}/lock`, { token: org.admin.token });
    const before = await h.count('outbox');
    for (const text of ['', '   ', 'x'.repeat(1601)]) {
      const res = await h.request('POST', `/api/v1/records/${n}/notifications`, {
        token: org.admin.token,
        body: { target: 'conversation', text },
      });
      expect(res.status).toBe(400);
    }
    expect(await h.count('outbox')).toBe(before);
  });

  it('unknown routes are a JSON 404', async () => {
    const res = await h.request('GET', '/api/v1/nothing-here');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });

  it('health, metrics and the OpenAPI document are served', async () => {
    expect((await h.request('GET', '/healthz')).body).toEqual({ status: 'ok', database: dialect, secretKey: 'ok' });
    const metrics = await h.request('GET', '/metrics');
    expect(metrics.body).toContain('caseline_webhooks_total');
    const openapi = await h.request('GET', '/api/v1/openapi.json');
    expect(openapi.body.openapi).toMatch(/^3\./);
    expect(Object.keys(openapi.body.paths)).toEqual(
      expect.arrayContaining(['/api/v1/records/{caseNumber}/notifications', '/api/v1/surveys/{id}/records']),
    );
  });

  it('a NUL character in a message keeps its place as U+FFFD; in an address or API body it is 400', async () => {
    const org = await h.newOrg();
    expect((await h.text(org, ALICE, 'a\u0000b', 'id\u0000nul')).status).toBe(200);
    const n = (await h.records(org))[0]!.caseNumber;
    expect(await h.conversation(org, n)).toEqual(['a\uFFFDb']);
    expect((await h.request('GET', '/api/v1/surveys/%00', { token: org.admin.token })).status).toBe(400);
    const note = await h.request('POST', `/api/v1/records/${n}/notes`, { token: org.admin.token, body: { text: 'x\u0000y' } });
    expect(note.status).toBe(400);
    expect((await h.record(org, n)).notes).toEqual([]);
  });

  it('half a surrogate pair in a message keeps its place as U+FFFD, alone or in a batch', async () => {
    const org = await h.newOrg();
    // A JSON body may escape half a pair (\ud800), which no UTF-8 text can hold. Stored
    // together, as one batch, on PostgreSQL these rows travel as JSON (Db.insertRows).
    const answers = await Promise.all([
      h.text(org, ALICE, 'a\ud800b'),
      h.text(org, BOB, 'c\udfffd'),
      h.text(org, ALICE, 'whole \u{1F600}'),
    ]);
    expect(answers.map((res) => res.status)).toEqual([200, 200, 200]);
    const byContact = await Promise.all((await h.records(org)).map((r) => h.conversation(org, r.caseNumber)));
    expect(byContact.flat().sort()).toEqual(['a\uFFFDb', 'c\uFFFDd', 'whole \u{1F600}'].sort());
  });

  it('a body nested 200,000 levels deep gets a clear answer, not a crash, and signs nobody in', async () => {
    const depth = 200_000;
    const deep = '['.repeat(depth) + ']'.repeat(depth);
    const post = (rawBody: string) => h.request('POST', '/api/v1/session', { rawBody, headers: { 'content-type': 'application/json' } });
    const alone = await post(deep);
    expect(alone.status).toBe(400);
    expect(alone.body.error.code).toBe('validation_failed');
    // Beside a login's fields the deep value is read for NUL characters, then ignored.
    const beside = await post(`{"email":"nobody@example.org","password":"a-long-password-1","extra":${deep}}`);
    expect(beside.status).toBe(401);
    expect(beside.body.error.code).toBe('invalid_credentials');
  });
});
