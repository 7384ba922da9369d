import { describe, expect, it } from 'vitest';
import { flowReplyText, locationText, sharedContactsText } from '../../../src/domain/readable-kinds.js';

describe('a shared location as text', () => {
  it('reads name and address, then a map link built from the coordinates', () => {
    expect(locationText({ name: 'Citizens Advice', address: '1 High St, London' }, 51.5072178, -0.1275862)).toBe(
      'Location: Citizens Advice, 1 High St, London\n' +
        'https://www.openstreetmap.org/?mlat=51.5072178&mlon=-0.1275862#map=17/51.5072178/-0.1275862',
    );
  });

  it('reads coordinates written as text (Twilio’s form fields) the same as numbers (Meta’s JSON)', () => {
    expect(locationText({ name: 'Home' }, '51.5072178', '-0.1275862')).toBe(locationText({ name: 'Home' }, 51.5072178, -0.1275862));
  });

  it('names the coordinates when the sender dropped a pin without a name or address', () => {
    expect(locationText(null, 6.5244, 3.3792)).toBe(
      'Location: 6.5244, 3.3792\nhttps://www.openstreetmap.org/?mlat=6.5244&mlon=3.3792#map=17/6.5244/3.3792',
    );
  });

  it.each([
    ['out of range', 91, 0],
    ['not numbers', 'javascript:alert(1)', '0'],
    ['missing', undefined, undefined],
  ])('gives no link for coordinates %s', (_, latitude, longitude) => {
    const text = locationText({ name: 'Clinic' }, latitude, longitude);
    expect(text).toBe('Location: Clinic');
  });

  it('keeps a long or multi-line name on one bounded line', () => {
    const text = locationText({ name: `Shelter\n\n${'x'.repeat(1000)}` }, 1, 2);
    const [first] = text.split('\n');
    expect(first!.startsWith('Location: Shelter x')).toBe(true);
    expect(first!.length).toBeLessThan(320);
    expect(text.split('\n')).toHaveLength(2);
  });
});

describe('a WhatsApp Flow reply as text', () => {
  it('reads the body, then one line per answer, without the flow token', () => {
    const answers = JSON.stringify({
      flow_token: 'secret-token',
      screen_0_Name_0: 'Ana',
      screen_1_Date_of_birth_1: '1990-04-02',
      consent: true,
    });
    expect(flowReplyText('Sent', answers)).toBe('Sent\nName: Ana\nDate of birth: 1990-04-02\nconsent: true');
  });

  it('reads a list of choices on one line', () => {
    expect(flowReplyText('Sent', JSON.stringify({ topics: ['Housing', 'Debt'] }))).toBe('Sent\ntopics: Housing, Debt');
  });

  it('keeps the body when the answers are not valid JSON', () => {
    expect(flowReplyText('Sent', '{"screen_0_Name_0": "Ana"')).toBe('Sent');
  });

  it('says it was a flow reply when there is neither body nor answers', () => {
    expect(flowReplyText(undefined, 'null')).toBe('[flow reply]');
  });

  it('counts the answers beyond thirty instead of listing them', () => {
    const many = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`q${i}`, 'a']));
    const lines = flowReplyText('Sent', JSON.stringify(many)).split('\n');
    expect(lines).toHaveLength(32);
    expect(lines.at(-1)).toBe('… and 10 more answers');
  });
});

describe('shared contacts as text', () => {
  it('reads one line per contact: name and phone numbers', () => {
    expect(
      sharedContactsText([
        {
          name: { formatted_name: 'Sam Okafor' },
          phones: [{ phone: '+44 20 7946 0018' }, { phone: '+44 7700 900456', wa_id: '447700900456' }],
        },
        { name: { first_name: 'Grace', last_name: 'Mensah' }, phones: [{ wa_id: '447700900789' }] },
      ]),
    ).toBe('Contact: Sam Okafor, +44 20 7946 0018, +44 7700 900456\nContact: Grace Mensah, +447700900789');
  });

  it('still shows a contact without a name or numbers', () => {
    expect(sharedContactsText([{}])).toBe('Contact: no name');
  });

  it('says it was a contacts message when the list is empty', () => {
    expect(sharedContactsText([])).toBe('[contacts message]');
  });
});
