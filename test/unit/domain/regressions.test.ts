import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readConfig, ConfigError } from '../../../src/config.js';
import { renderMultiCaseReply, shorten } from '../../../src/domain/multi-case-reply.js';
import { normalisePhone } from '../../../src/domain/phone.js';
import { validateAnswers, type SurveyDefinition } from '../../../src/domain/survey.js';
import { LoginThrottle } from '../../../src/http/login-throttle.js';

/** Bugs found by property tests, kept fixed. */
describe('regressions', () => {
  it('normalising a normalised number never changes it, for any digits', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\+?[0-9]{3,16}$/), (raw) => {
        let once: string;
        try {
          once = normalisePhone(raw);
        } catch {
          return;
        }
        expect(normalisePhone(once)).toBe(once);
      }),
      { numRuns: 2000 },
    );
    expect(() => normalisePhone('+4900530000')).toThrow();
  });

  it('a first message with $ patterns is quoted as written in the multi-case reply', () => {
    expect(renderMultiCaseReply('{count}: {cases}', [{ caseNumber: 1, firstMessage: 'Price $$20 and $& x' }])).toBe(
      '1: #1: Price $$20 and $& x',
    );
  });

  it('shortening never cuts an emoji in half', () => {
    const short = shorten(`${'a'.repeat(38)}😀😀 bbbb`);
    expect(short).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    expect(short.endsWith('…')).toBe(true);
  });

  const survey: SurveyDefinition = {
    name: 's',
    caseManagement: null,
    questions: [
      { name: 'd', label: 'D', type: 'date' },
      { name: 'i', label: 'I', type: 'integer' },
      { name: 'x', label: 'X', type: 'decimal' },
    ],
  };

  it.each(['2023-02-30', '2023-02-31', '2023-04-31', '2023-02-29'])('the date %s does not exist and is refused', (d) => {
    expect(() => validateAnswers(survey, { d })).toThrow(expect.objectContaining({ code: 'validation_failed' }));
  });

  it('a leap day exists', () => {
    expect(() => validateAnswers(survey, { d: '2024-02-29' })).not.toThrow();
  });

  it.each(['  ', '0x1A', '1e3', ' 12 ', '1.5'])('the integer answer %j is refused', (i) => {
    expect(() => validateAnswers(survey, { i })).toThrow();
  });

  it.each(['  ', '0x1A', '1e3', 'Infinity'])('the decimal answer %j is refused', (x) => {
    expect(() => validateAnswers(survey, { x })).toThrow();
  });

  it.each([' ', '0x50', '1e3', '-0', '+80'])('PORT=%j is refused', (PORT) => {
    expect(() => readConfig({ PORT })).toThrow(ConfigError);
  });

  it.each(['sqlite://', 'sqlite:', 'postgres://', 'postgresql:///db'])('DATABASE_URL=%s is refused', (DATABASE_URL) => {
    expect(() => readConfig({ DATABASE_URL })).toThrow(/DATABASE_URL/);
  });

  it("a flood of new keys cannot wipe a targeted account's failed logins", () => {
    const throttle = new LoginThrottle(3, 60_000, () => 1000);
    for (let i = 0; i < 3; i++) throttle.reserve(['email:victim@example.org']).attempt!.fail();
    for (let i = 0; i < 100_001; i++) throttle.reserve([`ip:${i}`]).attempt?.fail();
    expect(throttle.size).toBeLessThanOrEqual(100_000);
    expect(throttle.reserve(['email:victim@example.org']).retryAfterSeconds).toBeGreaterThan(0);
  });
});
