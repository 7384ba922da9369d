import { describe, expect, it } from 'vitest';
import { DomainError } from '../../../src/domain/errors.js';
import {
  checkTemplateLibrary,
  chooseTemplate,
  fillTemplate,
  fromSingleTemplate,
  parametersOf,
  placeholderNumbers,
  syncedLibrary,
  templateProblem,
  templateText,
  type MessageTemplate,
} from '../../../src/domain/templates.js';

const APPOINTMENT: MessageTemplate = {
  name: 'appointment',
  language: 'en_GB',
  body: 'Dear {{1}}, your appointment is on {{2}}. See you on {{2}}!',
  parameters: ['name', 'date'],
};
const LEGACY: MessageTemplate = { name: 'case_update', language: 'en_GB', body: '', parameters: ['{text}'] };

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    return error instanceof DomainError ? error.code : 'not a DomainError';
  }
  return undefined;
}

describe('message templates (DESIGN.md §7 "Templates")', () => {
  it('fills each {{n}} with the n-th value, every time it appears, and leaves one without a value as written', () => {
    expect(fillTemplate(APPOINTMENT.body, ['Sam', 'Monday'])).toBe('Dear Sam, your appointment is on Monday. See you on Monday!');
    expect(fillTemplate('Hi {{ 1 }} and {{2}}', ['Sam'])).toBe('Hi Sam and {{2}}');
    // A value that looks like a placeholder is not filled again.
    expect(fillTemplate('{{1}} {{2}}', ['{{2}}', 'x'])).toBe('{{2}} x');
  });

  it('reads the placeholders of a body once each, in order', () => {
    expect(placeholderNumbers(APPOINTMENT.body)).toEqual([1, 2]);
    expect(placeholderNumbers('no placeholders, {not} {{name}}')).toEqual([]);
    expect(placeholderNumbers('{{3}} {{1}}')).toEqual([1, 3]);
  });

  it("takes Meta's examples as the parameters, or the placeholders where there are none", () => {
    expect(parametersOf('Hi {{1}}, {{2}}', ['Sam'])).toEqual(['Sam', '{{2}}']);
    expect(parametersOf('Hi {{1}}', ['  '])).toEqual(['{{1}}']);
    expect(parametersOf('No placeholders', ['ignored'])).toEqual([]);
  });

  it('a body must number its placeholders from 1 without a gap and name each in its parameters', () => {
    expect(templateProblem(APPOINTMENT)).toBeNull();
    expect(templateProblem(LEGACY)).toBeNull();
    expect(templateProblem({ ...APPOINTMENT, body: 'On {{2}}' })).toMatch(/without a gap/);
    expect(templateProblem({ ...APPOINTMENT, parameters: ['name'] })).toMatch(/2 placeholder\(s\).*1 parameter/);
    expect(templateProblem({ ...APPOINTMENT, name: ' ' })).toMatch(/needs a name/);
  });

  it('a library holds one template per name and language', () => {
    expect(() => checkTemplateLibrary([APPOINTMENT, { ...APPOINTMENT, language: 'sw' }])).not.toThrow();
    expect(codeOf(() => checkTemplateLibrary([APPOINTMENT, APPOINTMENT]))).toBe('validation_failed');
    expect(codeOf(() => checkTemplateLibrary([{ ...APPOINTMENT, body: '{{1}}' }]))).toBe('validation_failed');
  });

  it('a chosen template must be in the library and take exactly its number of values, none empty', () => {
    const library = [LEGACY, APPOINTMENT];
    expect(chooseTemplate(library, { name: 'appointment', language: 'en_GB', parameters: [' Sam ', 'Monday'] })).toEqual({
      template: APPOINTMENT,
      values: ['Sam', 'Monday'],
    });
    expect(codeOf(() => chooseTemplate(library, { name: 'appointment', language: 'sw', parameters: ['a', 'b'] }))).toBe(
      'validation_failed',
    );
    expect(codeOf(() => chooseTemplate(library, { name: 'appointment', language: 'en_GB', parameters: ['a'] }))).toBe('validation_failed');
    expect(codeOf(() => chooseTemplate(library, { name: 'appointment', language: 'en_GB', parameters: ['a', 'b', 'c'] }))).toBe(
      'validation_failed',
    );
    expect(codeOf(() => chooseTemplate(library, { name: 'appointment', language: 'en_GB', parameters: ['a', ''] }))).toBe(
      'validation_failed',
    );
  });

  it('the conversation shows the filled body; a template without a body names itself and its values', () => {
    expect(templateText(APPOINTMENT, ['Sam', 'Monday'])).toBe('Dear Sam, your appointment is on Monday. See you on Monday!');
    expect(templateText(LEGACY, ['Call us'])).toBe('[case_update] Call us');
    expect(templateText({ ...LEGACY, parameters: [] }, [])).toBe('[case_update]');
  });

  it("part one's single template becomes a library entry with an empty body", () => {
    expect(fromSingleTemplate({ name: 'x', language: 'en', parameters: ['{text}'] })).toEqual({
      name: 'x',
      language: 'en',
      body: '',
      parameters: ['{text}'],
    });
  });

  it('a sync keeps approved templates only, those already kept first and in order, new ones after by name', () => {
    const approved = (t: MessageTemplate, status = 'APPROVED') => ({ ...t, status });
    const welcome: MessageTemplate = { name: 'welcome', language: 'en_GB', body: 'Welcome', parameters: [] };
    const alert: MessageTemplate = { name: 'alert', language: 'en_GB', body: 'Alert {{1}}', parameters: ['x'] };
    const next = syncedLibrary(
      [welcome, LEGACY, APPOINTMENT],
      [
        approved(alert),
        approved({ ...APPOINTMENT, body: 'Updated {{1}} {{2}}' }),
        approved({ ...welcome, name: 'pending' }, 'PENDING'),
        approved(welcome),
        approved({ ...alert, name: 'broken', body: 'Gap {{2}}' }),
      ],
    );
    expect(next.map((t) => t.name)).toEqual(['welcome', 'appointment', 'alert']);
    expect(next[1]!.body).toBe('Updated {{1}} {{2}}');
  });
});
