import '../../support/console-english.js';
import { describe, expect, it } from 'vitest';
import {
  channelLabel,
  describeDetail,
  humanise,
  isSafeMediaUrl,
  shorten,
  splitReference,
  statusTicks,
} from '../../../src/web/src/format.js';
import { parseRoute } from '../../../src/web/src/router.js';

describe('console formatting', () => {
  it('splits the appended case reference from an outbound text', () => {
    expect(splitReference('We can help #12', 12)).toEqual({ body: 'We can help', suffix: '#12' });
    expect(splitReference('About #12 and more', 12)).toEqual({ body: 'About #12 and more', suffix: null });
    expect(splitReference('Hello', null)).toEqual({ body: 'Hello', suffix: null });
  });

  it('shows one tick for sent, two for delivered and read, a mark for failures', () => {
    expect(statusTicks('sent')).toBe('✓');
    expect(statusTicks('delivered')).toBe('✓✓');
    expect(statusTicks('read')).toBe('✓✓');
    expect(statusTicks('failed')).toBe('!');
    expect(statusTicks('received')).toBe('');
  });

  it('names WhatsApp as such and every other channel SMS', () => {
    expect(channelLabel('whatsapp')).toBe('WhatsApp');
    expect(channelLabel('sms')).toBe('SMS');
    expect(channelLabel(null)).toBe('SMS');
  });

  it('shortens long texts on one line without cutting a character in half', () => {
    expect(shorten('a\n b', 10)).toBe('a b');
    expect(shorten('👋'.repeat(10), 5)).toBe('👋👋👋👋…');
  });

  it('describes history details without internal ids', () => {
    expect(describeDetail({ messageId: 'abc', toCase: 14, comment: 'noise' })).toBe('To case: 14 · Comment: noise');
    expect(describeDetail({ changed: { topic: { from: null, to: 'Housing' }, status: { from: 'new', to: 'closed' } } })).toBe(
      'Changed: topic — → Housing, status new → closed',
    );
    // A label change names what was added and leaves out an empty side.
    expect(describeDetail({ added: ['Urgent', 'benefits'], removed: [] })).toBe('Added: Urgent, benefits');
    expect(describeDetail('plain')).toBe('plain');
    expect(describeDetail(null)).toBe('');
    expect(humanise('message.moved_out')).toBe('Message moved out');
  });

  it('opens only web addresses as media', () => {
    expect(isSafeMediaUrl('https://example.org/a.jpg')).toBe(true);
    expect(isSafeMediaUrl('/api/v1/media/1')).toBe(true);
    expect(isSafeMediaUrl('javascript:alert(1)')).toBe(false);
    expect(isSafeMediaUrl('//evil.example/x')).toBe(false);
    expect(isSafeMediaUrl('data:text/html,<script>')).toBe(false);
  });
});

describe('console routes', () => {
  it('reads the hash into a route', () => {
    expect(parseRoute('')).toEqual({ name: 'home' });
    expect(parseRoute('#/cases/42')).toEqual({ name: 'case', caseNumber: 42 });
    expect(parseRoute('#/surveys/abc/cases')).toEqual({ name: 'cases', surveyId: 'abc' });
    expect(parseRoute('#/simulator?number=n1&contact=%2B15555550100')).toEqual({
      name: 'simulator',
      numberId: 'n1',
      contact: '+15555550100',
    });
    expect(parseRoute('#/admin/numbers/new')).toEqual({ name: 'number-edit', numberId: null });
    expect(parseRoute('#/cases/abc')).toEqual({ name: 'not-found', path: '/cases/abc' });
  });
});
