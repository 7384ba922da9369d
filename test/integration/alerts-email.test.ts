import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import type { Config } from '../../src/config.js';
import { loggerOptions } from '../../src/http/logging.js';
import { alertKit, drivenClock, MINUTE } from '../support/alert-kit.js';
import { describeEachDialect } from '../support/dialects.js';
import { useCaseline } from '../support/harness.js';
import { logLines } from '../support/log-lines.js';

interface Delivery {
  from: string;
  /** The envelope's recipients (RCPT TO): who the message really goes to. */
  rcpt: string[];
  raw: string;
  subject: string;
  text: string;
}

/**
 * A local SMTP server without TLS: it advertises no STARTTLS, so nodemailer speaks plain
 * SMTP to it and the URL needs no options. `refuse` makes it answer MAIL FROM with an error.
 */
function smtpServer() {
  const state = {
    deliveries: [] as Delivery[],
    attempts: 0,
    /** Refusals still to give, each answered with this code. */
    refuse: [] as number[],
    server: null as SMTPServer | null,
    port: 0,
  };
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    disableReverseLookup: true,
    logger: false,
    onMailFrom(_address, _session, callback) {
      state.attempts += 1;
      const code = state.refuse.shift();
      if (code === undefined) {
        callback();
        return;
      }
      callback(Object.assign(new Error(code >= 500 ? 'Mailbox unavailable' : 'Try again later'), { responseCode: code }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        simpleParser(raw)
          .then((parsed) => {
            state.deliveries.push({
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              // Compared without regard to case: nodemailer writes domains in lower case.
              rcpt: session.envelope.rcptTo.map((r) => r.address.toLowerCase()).sort(),
              raw,
              subject: parsed.subject ?? '',
              text: parsed.text ?? '',
            });
            callback();
          })
          .catch(callback);
      });
    },
  });
  state.server = server;
  return state;
}

/** Alert emails (DESIGN.md §8, §13 "alert recipients") through a real SMTP conversation. */
describeEachDialect('alert emails', (dialect) => {
  const smtp = smtpServer();
  const config: Partial<Config> = {};
  const { sink, lines } = logLines();
  // Registered before the harness's own: the server's port is in the config it starts with.
  beforeAll(async () => {
    await new Promise<void>((resolve) => smtp.server!.listen(0, '127.0.0.1', resolve));
    smtp.port = (smtp.server!.server.address() as AddressInfo).port;
    config.mail = { smtpUrl: `smtp://127.0.0.1:${smtp.port}`, from: 'alerts@helpline.test' };
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => smtp.server!.close(() => resolve()));
  });
  const clock = drivenClock(Date.parse('2026-03-02T06:00:00Z'));
  const h = useCaseline(dialect, { now: clock.now, config, logger: loggerOptions('info', sink) });
  const kit = alertKit(h);
  const CONTACT_TEXT = 'my stepfather hurts me';
  const extras = ['duty@helpline.test', 'Supervisor@Helpline.test'];
  const addresses = (...list: string[]) => list.map((a) => a.toLowerCase()).sort();

  beforeEach(() => {
    smtp.deliveries.length = 0;
    smtp.attempts = 0;
    smtp.refuse = [];
    lines.length = 0;
  });

  async function emailJob(firingId: string) {
    return h.caseline().db.kysely.selectFrom('jobs').selectAll().where('subject_id', '=', firingId).executeTakeFirst();
  }

  it('one message to the holder and the extra addresses, then one to the admins: case, survey and waiting time, no message text, no number', async () => {
    const org = await h.newOrg();
    const [holder, colleague, secondAdmin, formerAdmin] = await Promise.all([
      h.addUser(org.orgId, 'analyst'),
      h.addUser(org.orgId, 'analyst'),
      h.addUser(org.orgId, 'admin'),
      h.addUser(org.orgId, 'admin'),
    ]);
    await kit.deactivate(org, formerAdmin);
    await kit.patchSurvey(org, { name: 'Youth line', alerts: { firstLevelMinutes: 42, secondLevelMinutes: 150, emails: extras } });
    const start = clock.now();
    const c = await kit.newCase(org, CONTACT_TEXT);
    await kit.assign(org, c, holder);

    clock.set(start + 42 * MINUTE);
    await kit.runTimers();
    expect(smtp.deliveries).toHaveLength(1);
    const [first] = smtp.deliveries;
    expect(first!.from).toBe('alerts@helpline.test');
    expect(first!.rcpt).toEqual(addresses(holder.email, ...extras));
    expect(first!.rcpt).not.toContain(colleague.email);
    expect(first!.subject).toBe(`Case #${c.caseNumber} has waited 42 minutes`);
    expect(first!.text).toContain(`Case #${c.caseNumber}`);
    expect(first!.text).toContain('"Youth line"');
    expect(first!.text).toContain('42 minutes');
    expect(first!.text).toContain('first alert');
    expect(first!.text).toContain(`https://caseline.test/#/cases/${c.caseNumber}`);

    clock.set(start + 150 * MINUTE);
    await kit.runTimers();
    expect(smtp.deliveries).toHaveLength(2);
    const second = smtp.deliveries[1]!;
    expect(second.rcpt).toEqual(addresses(org.admin.email, secondAdmin.email, ...extras));
    expect(second.subject).toBe(`Case #${c.caseNumber} has waited 2 hours 30 minutes (second alert)`);
    expect(second.text).toContain('second alert');

    const national = c.contact.slice(-10);
    for (const delivery of smtp.deliveries) {
      // Bcc: no recipient is named in the message itself.
      expect(delivery.raw).not.toMatch(/^(to|cc|bcc):/im);
      for (const secret of [CONTACT_TEXT, 'stepfather', c.contact, c.contact.slice(1), national]) {
        expect(delivery.raw, secret).not.toContain(secret);
      }
    }
    // Each firing is sent once: its job is gone.
    for (const firing of await kit.firings(c)) expect(await emailJob(firing.id)).toBeUndefined();
  });

  it('a server that answers 451 once gets the message once, after a retry; the log names the firing, no address', async () => {
    const org = await h.newOrg();
    const analyst = await h.addUser(org.orgId, 'analyst');
    await kit.setAlerts(org, { firstLevelMinutes: 30, secondLevelMinutes: null, emails: extras });
    const start = clock.now();
    const c = await kit.newCase(org);
    smtp.refuse = [451];

    clock.set(start + 30 * MINUTE);
    await kit.runTimers();
    expect(smtp.deliveries).toHaveLength(0);
    const [firing] = await kit.firings(c);
    const job = await emailJob(firing!.id);
    expect(job).toMatchObject({ state: 'pending', attempts: 1 });
    expect(job!.last_error).toContain('451');
    expect(Number(job!.due_at)).toBeGreaterThan(clock.now());

    clock.set(Number(job!.due_at));
    await kit.runTimers();
    expect(smtp.deliveries).toHaveLength(1);
    expect(smtp.deliveries[0]!.rcpt).toEqual(addresses(analyst.email, ...extras));
    clock.advance(24 * 60 * MINUTE);
    await kit.runTimers();
    expect(smtp.deliveries).toHaveLength(1);
    expect(smtp.attempts).toBe(2);

    const log = lines.join('\n');
    expect(lines.some((line) => line.includes('job will be retried') && line.includes(firing!.id))).toBe(true);
    for (const address of [analyst.email, ...extras, 'helpline.test']) expect(log, address).not.toContain(address);
  });

  it('a server that refuses with 550 fails the job with a readable reason and is not asked again', async () => {
    const org = await h.newOrg();
    await h.addUser(org.orgId, 'analyst');
    await kit.setAlerts(org, { firstLevelMinutes: 30, secondLevelMinutes: null, emails: extras });
    const start = clock.now();
    const c = await kit.newCase(org);
    smtp.refuse = [550, 550, 550];

    clock.set(start + 30 * MINUTE);
    await kit.runTimers();
    const [firing] = await kit.firings(c);
    const job = await emailJob(firing!.id);
    expect(job).toMatchObject({ state: 'failed', attempts: 1 });
    expect(job!.last_error).toBe('The mail server refused the alert email: SMTP server answered 550');
    clock.advance(2 * 60 * MINUTE);
    await kit.runTimers();
    expect(smtp.attempts).toBe(1);
    expect(smtp.deliveries).toHaveLength(0);
    // The console has the alert all the same.
    expect(await kit.alertRows(c)).toHaveLength(1);
  });
});
