import { describe, expect, it } from 'vitest';
import { fillTemplate, parameterList } from '../../../src/web/src/template-text.js';

describe("the console's template preview", () => {
  it('fills each {{n}} with what was typed for it, showing the placeholder until then', () => {
    expect(fillTemplate('Dear {{1}}, see you on {{2}} ({{2}})', ['Sam', 'Monday'])).toBe('Dear Sam, see you on Monday (Monday)');
    expect(fillTemplate('Dear {{1}}, see you on {{ 2 }}', ['Sam', '  '])).toBe('Dear Sam, see you on {{ 2 }}');
    expect(fillTemplate('No placeholders', ['x'])).toBe('No placeholders');
  });

  it('reads parameters one a line, so an example may hold a comma', () => {
    expect(parameterList(' Monday, 3 June \n\n 10:00\n')).toEqual(['Monday, 3 June', '10:00']);
  });
});
