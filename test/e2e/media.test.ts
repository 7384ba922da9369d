import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeTwilio, type FakeTwilio } from '../support/fake-twilio.js';
import { twilioCredentials } from '../support/twilio-number.js';
import type { ApiSession } from './support/api.js';
import { openConsole, startConsoleTest, stopConsoleTest, type ConsoleTest } from './support/console-test.js';
import { repoRoot } from './support/server.js';

// Media in the console (DESIGN.md §6): what a person sends is seen and heard in the case,
// and a worker's reply carries a photo. A story in order: each test goes on from the last.
const WAIT = { timeout: 15_000 };
const PHONE = '+15555550161';
const TWILIO_CONTACT = '+15555550162';
const TWILIO_NUMBER = '+15555550111';
/** Small, so a file over the limit is quick to make. */
const MAX_BYTES = 1024 * 1024;
const FIXTURES = join(repoRoot, 'test', 'fixtures', 'media');
const PHOTO = join(FIXTURES, 'photo.png');
const VOICE_NOTE = join(FIXTURES, 'voice-note.wav');
const LETTER = join(FIXTURES, 'letter.pdf');
const WRITE_FIRST_CONTACT = '+15555550163';

let test: ConsoleTest | undefined;
let twilio: FakeTwilio | undefined;
let admin: ApiSession;
let page: Page;
let sandboxId = '';
let surveyId = '';
let phoneCase = 0;

beforeAll(async () => {
  twilio = await startFakeTwilio();
  ({ admin } = test = await startConsoleTest({ CASELINE_TWILIO_API_URL: twilio.url, CASELINE_MEDIA_MAX_BYTES: String(MAX_BYTES) }));
  const sandbox = await admin.sandboxNumber();
  sandboxId = String(sandbox.id);
  surveyId = String(sandbox.surveyId);
  page = await openConsole(test);
}, 240_000);

afterAll(async () => {
  twilio?.storage.releaseHangs();
  await stopConsoleTest(test);
  await twilio?.close();
}, 20_000);

async function caseOf(contact: string): Promise<number> {
  const page = await admin.expect<{ items: { caseNumber: number }[] }>(
    200,
    'GET',
    `/surveys/${surveyId}/records?status=open&contact=${encodeURIComponent(contact)}`,
  );
  if (!page.items[0]) throw new Error(`No open case of ${contact}`);
  return page.items[0].caseNumber;
}

const conversation = (p: Page) => p.getByRole('list', { name: 'Conversation' });

/** Waits until an image has loaded its bytes (not a broken image) and answers its natural width. */
async function loadedWidth(image: Locator): Promise<number> {
  await image.waitFor(WAIT);
  await image.scrollIntoViewIfNeeded();
  await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), WAIT).toBeGreaterThan(0);
  return image.evaluate((img: HTMLImageElement) => img.naturalWidth);
}

async function axeViolations(p: Page): Promise<string[]> {
  const require = createRequire(import.meta.url);
  await p.evaluate(readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8'));
  return p.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (context: unknown, options: unknown) => Promise<{ violations: { id: string }[] }> } })
      .axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] } });
    return result.violations.map((v) => v.id);
  });
}

describe('media in the console', () => {
  it('the phone simulator sends a photo and a voice note, and shows them on the phone', async () => {
    await page.goto(`${test!.server.url}/#/simulator?number=${encodeURIComponent(sandboxId)}&contact=${encodeURIComponent(PHONE)}`);
    const phone = page.getByRole('region', { name: `Phone ${PHONE}` });
    await phone.getByText('No messages yet. Say hello.').waitFor(WAIT);
    await phone.getByTestId('attach-input').setInputFiles([PHOTO, VOICE_NOTE]);
    const chips = phone.getByRole('list', { name: 'Attached files' });
    await chips.getByText('photo.png').waitFor(WAIT);
    await chips.getByText('voice-note.wav').waitFor(WAIT);
    await phone.getByLabel('Text message').fill('The damp in the bedroom');
    const send = phone.getByRole('button', { name: 'Send text' });
    await expect.poll(() => send.isEnabled(), WAIT).toBe(true);
    await send.click();

    await phone.getByText('The damp in the bedroom').waitFor(WAIT);
    await expect.poll(() => chips.count(), WAIT).toBe(0);
    // The sandbox links the upload to the inbound message with a job: pending, then stored.
    expect(await loadedWidth(phone.getByRole('img', { name: 'photo.png' }))).toBe(64);
    phoneCase = await caseOf(PHONE);
  }, 40_000);

  it('the worker sees the photo inline, opens it larger and closes it with Escape', async () => {
    await page.goto(`${test!.server.url}/#/cases/${phoneCase}`);
    const thumbnail = conversation(page).getByRole('button', { name: 'photo.png' });
    expect(await loadedWidth(thumbnail.getByRole('img', { name: 'photo.png' }))).toBe(64);

    await thumbnail.click();
    const viewer = page.getByRole('dialog', { name: 'photo.png' });
    await viewer.waitFor(WAIT);
    expect(await loadedWidth(viewer.getByRole('img', { name: 'photo.png' }))).toBe(64);
    await expect(viewer.getByRole('link', { name: 'Download' }).getAttribute('href')).resolves.toMatch(/^\/api\/v1\/media\//);
    await page.keyboard.press('Escape');
    await viewer.waitFor({ state: 'hidden', ...WAIT });
    // Focus goes back to the thumbnail that opened the viewer.
    await expect(thumbnail.evaluate((el) => el === document.activeElement)).resolves.toBe(true);
  }, 40_000);

  it('the voice note plays in place', async () => {
    const player = conversation(page).getByLabel('voice-note.wav', { exact: true });
    await player.waitFor(WAIT);
    await player.scrollIntoViewIfNeeded();
    await expect
      .poll(() => player.evaluate((audio: HTMLAudioElement) => ({ ready: audio.readyState > 0, error: audio.error?.code ?? null })), WAIT)
      .toEqual({ ready: true, error: null });
    // One second of sound (test/fixtures/media/voice-note.wav).
    const duration = await player.evaluate((audio: HTMLAudioElement) => audio.duration);
    expect(duration).toBeCloseTo(1, 1);
    // Muted, as the autoplay policy lets a page start playback without a click.
    await player.evaluate((audio: HTMLAudioElement) => {
      audio.muted = true;
      return audio.play();
    });
    await expect.poll(() => player.evaluate((audio: HTMLAudioElement) => audio.currentTime), WAIT).toBeGreaterThan(0);
    await conversation(page).getByText('voice-note.wav · 7.9 KB').waitFor(WAIT);
  }, 40_000);

  it('shows the server’s limit, and refuses a file over it in words before uploading it', async () => {
    await page.getByRole('button', { name: 'Lock for editing' }).click();
    await page.getByText('Locked by you').waitFor(WAIT);
    const reply = page.getByRole('form', { name: 'Send notification' });
    await reply.getByText('up to 1 MB each').waitFor(WAIT);
    await reply.getByTestId('attach-input').setInputFiles({
      name: 'scan.pdf',
      mimeType: 'application/pdf',
      buffer: Buffer.alloc(MAX_BYTES + 512 * 1024, 1),
    });
    const chip = reply.getByRole('listitem').filter({ hasText: 'scan.pdf' });
    await chip.getByText('This file is 1.5 MB; files can be up to 1 MB.').waitFor(WAIT);
    await reply.getByLabel(/^Message to/).fill('See the attached');
    await expect(reply.getByRole('button', { name: 'Send' }).isDisabled()).resolves.toBe(true);
    await chip.getByRole('button', { name: 'Remove scan.pdf' }).click();
    await expect(reply.getByRole('button', { name: 'Send' }).isEnabled()).resolves.toBe(true);
  }, 40_000);

  it('the worker attaches a photo to a reply, sends it, and sees it delivered', async () => {
    const reply = page.getByRole('form', { name: 'Send notification' });
    const box = reply.getByLabel(/^Message to/);
    await box.fill('Thank you, a surveyor will come on Monday');
    await reply.getByTestId('attach-input').setInputFiles(PHOTO);
    const chips = reply.getByRole('list', { name: 'Attached files' });
    await chips.getByText('photo.png').waitFor(WAIT);
    await chips.getByText('308 bytes').waitFor(WAIT);
    const send = reply.getByRole('button', { name: 'Send' });
    await expect.poll(() => send.isEnabled(), WAIT).toBe(true);
    await send.click();

    const sent = conversation(page).getByRole('listitem').filter({ hasText: 'Thank you, a surveyor will come on Monday' });
    await sent.getByText('Delivered').waitFor(WAIT);
    expect(await loadedWidth(sent.getByRole('img', { name: 'photo.png' }))).toBe(64);
    // The chips are gone and the worker goes on typing.
    await expect.poll(() => chips.count(), WAIT).toBe(0);
    await expect(box.evaluate((el) => el === document.activeElement)).resolves.toBe(true);

    const record = await admin.expect<{
      messages: { direction: string; status: string; media: { contentType: string; status: string }[] }[];
    }>(200, 'GET', `/records/${phoneCase}`);
    const last = record.messages.at(-1)!;
    expect(last).toMatchObject({ direction: 'out', status: 'delivered' });
    expect(last.media).toMatchObject([{ contentType: 'image/png', status: 'stored' }]);
  }, 40_000);

  it('a file dropped onto the reply box, or an image pasted into it, is attached', async () => {
    const reply = page.getByRole('form', { name: 'Send notification' });
    const photo = [...readFileSync(PHOTO)];
    // What the browser hands over when a file is dropped or a screenshot pasted.
    await reply.evaluate((form, bytes) => {
      const transfer = (name: string) => {
        const data = new DataTransfer();
        data.items.add(new File([new Uint8Array(bytes)], name, { type: 'image/png' }));
        return data;
      };
      const dropped = transfer('dropped.png');
      for (const type of ['dragenter', 'dragover', 'drop']) {
        form.dispatchEvent(new DragEvent(type, { dataTransfer: dropped, bubbles: true, cancelable: true }));
      }
      const box = form.querySelector('textarea')!;
      box.dispatchEvent(new ClipboardEvent('paste', { clipboardData: transfer('image.png'), bubbles: true, cancelable: true }));
    }, photo);
    const chips = reply.getByRole('list', { name: 'Attached files' });
    await chips.getByText('dropped.png').waitFor(WAIT);
    await chips.getByText('image.png').waitFor(WAIT);
    await expect(reply.getByLabel(/^Message to/).inputValue()).resolves.toBe('');
    await chips.getByRole('button', { name: 'Remove dropped.png' }).click();
    await chips.getByRole('button', { name: 'Remove image.png' }).click();
    await expect.poll(() => chips.count(), WAIT).toBe(0);
  }, 40_000);

  it('the viewer goes through the case’s photos with the arrow keys', async () => {
    await conversation(page).getByRole('button', { name: 'photo.png' }).first().click();
    const viewer = page.getByRole('dialog', { name: 'photo.png' });
    await viewer.getByText('1 of 2').waitFor(WAIT);
    await page.keyboard.press('ArrowRight');
    await viewer.getByText('2 of 2').waitFor(WAIT);
    await page.keyboard.press('ArrowLeft');
    await viewer.getByText('1 of 2').waitFor(WAIT);
    await viewer.getByRole('button', { name: 'Close' }).click();
    await viewer.waitFor({ state: 'hidden', ...WAIT });
  }, 40_000);

  it('writing first carries a document, which the new case shows as a download', async () => {
    await page.goto(`${test!.server.url}/#/surveys/${surveyId}/cases`);
    await page.getByRole('button', { name: 'Write first' }).click();
    const dialog = page.getByRole('dialog', { name: 'Write first' });
    await dialog.getByLabel('Contact').fill(WRITE_FIRST_CONTACT);
    await dialog.getByTestId('attach-input').setInputFiles(LETTER);
    await dialog.getByRole('list', { name: 'Attached files' }).getByText('letter.pdf').waitFor(WAIT);
    // A file alone is a message.
    const send = dialog.getByRole('button', { name: 'Open case and send' });
    await expect.poll(() => send.isEnabled(), WAIT).toBe(true);
    await send.click();

    await page.getByText('Locked by you').waitFor(WAIT);
    const download = conversation(page).getByRole('link', { name: /letter\.pdf/ });
    await download.getByText('PDF · 588 bytes').waitFor(WAIT);
    await conversation(page).getByText('Delivered').waitFor(WAIT);
    const href = await download.getAttribute('href');
    const served = await page.evaluate(async (url) => {
      const response = await fetch(url!);
      return {
        status: response.status,
        disposition: response.headers.get('content-disposition'),
        size: (await response.arrayBuffer()).byteLength,
      };
    }, href);
    expect(served).toEqual({ status: 200, disposition: expect.stringMatching(/^attachment; filename="letter\.pdf"/), size: 588 });
  }, 40_000);

  it('a file still being fetched says so, one the provider no longer has says why, and the fetched one appears live', async () => {
    const credentials = twilioCredentials();
    const survey = await admin.expect<{ questions: { name: string; type: string }[] }>(200, 'GET', `/surveys/${surveyId}`);
    const number = await admin.expect<{ webhooks: { inbound: string } }>(201, 'POST', '/numbers', {
      provider: 'twilio',
      channel: 'sms',
      ourNumber: TWILIO_NUMBER,
      surveyId,
      theirNumberQuestion: survey.questions.find((q) => q.type === 'phone')!.name,
      conversationQuestion: survey.questions.find((q) => q.type === 'conversation')!.name,
      credentials,
    });
    const photo = readFileSync(PHOTO);
    const slow = twilio!.addMedia(credentials.accountSid, { bytes: photo, contentType: 'image/png' });
    const gone = twilio!.addMedia(credentials.accountSid, { bytes: photo, contentType: 'image/jpeg' });
    const letter = twilio!.addMedia(credentials.accountSid, {
      bytes: readFileSync(LETTER),
      contentType: 'application/pdf',
      fileName: 'letter.pdf',
    });
    twilio!.storage.failNext(slow.stored, 'hang');
    twilio!.storage.failNext(gone.stored, { status: 404, body: 'NoSuchKey' });
    const answer = await twilio!.postInbound(
      number.webhooks.inbound,
      { from: TWILIO_CONTACT, to: TWILIO_NUMBER, text: 'My tenancy papers', media: [slow, gone, letter] },
      credentials.authToken,
    );
    expect(answer.status).toBe(200);

    await page.goto(`${test!.server.url}/#/cases/${await caseOf(TWILIO_CONTACT)}`);
    const message = conversation(page).getByRole('listitem').filter({ hasText: 'My tenancy papers' });
    await message.getByText(/^File not received:/).waitFor(WAIT);
    await message.locator('.media-item', { has: page.getByRole('link', { name: /letter\.pdf/ }) }).waitFor(WAIT);
    // The photo's download is held: it alone is still being fetched.
    await expect.poll(() => message.getByRole('status').filter({ hasText: 'Fetching file…' }).count(), WAIT).toBe(1);
    await expect(message.locator('.media-note-failed').textContent()).resolves.toBe(
      'File not received: Twilio no longer has this file (404)',
    );
    const download = message.getByRole('link', { name: /letter\.pdf/ });
    await download.getByText('PDF · 588 bytes').waitFor(WAIT);
    expect(await axeViolations(page)).toEqual([]);

    // The held download fails, the job tries again, and the photo appears without a reload.
    twilio!.storage.releaseHangs();
    expect(await loadedWidth(message.getByRole('img', { name: `Photo from ${TWILIO_CONTACT}` }))).toBe(64);
    await expect(message.getByText('Fetching file…').count()).resolves.toBe(0);
  }, 60_000);

  it('the case screen with a photo, a voice note and a reply with a photo passes the accessibility checks', async () => {
    await page.goto(`${test!.server.url}/#/cases/${phoneCase}`);
    await loadedWidth(conversation(page).getByRole('img', { name: 'photo.png' }).first());
    expect(await axeViolations(page)).toEqual([]);
  }, 40_000);
});
