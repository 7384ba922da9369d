import { describe, expect, it } from 'vitest';
import { DomainError } from '../../../src/domain/errors.js';
import {
  caseStatus,
  questionOfType,
  reopenedStatus,
  validateAnswers,
  validateSurvey,
  type Question,
  type SurveyDefinition,
} from '../../../src/domain/survey.js';

const statusQuestion: Question = {
  name: 'status',
  label: 'Status',
  type: 'select_one',
  choices: [
    { value: 'new', label: 'New' },
    { value: 'in_progress', label: 'In progress' },
    { value: 'done', label: 'Done' },
  ],
};

function survey(overrides: Partial<SurveyDefinition> = {}): SurveyDefinition {
  return {
    name: 'Water points',
    questions: [
      { name: 'their_number', label: 'Their number', type: 'phone' },
      { name: 'conversation', label: 'Conversation', type: 'conversation' },
      { name: 'summary', label: 'Summary', type: 'text' },
      { name: 'households', label: 'Households', type: 'integer' },
      { name: 'depth', label: 'Depth (m)', type: 'decimal' },
      { name: 'reported_on', label: 'Reported on', type: 'date' },
      statusQuestion,
    ],
    caseManagement: { statusQuestion: 'status', finalStatus: 'done' },
    ...overrides,
  };
}

function validationError(run: () => unknown): DomainError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('validation_failed');
    return error as DomainError;
  }
  throw new Error('expected a validation_failed error, but nothing was thrown');
}

describe('survey definitions', () => {
  it('a survey with case management on a select_one status question is valid', () => {
    expect(() => validateSurvey(survey())).not.toThrow();
  });

  it('a survey without case management is valid', () => {
    expect(() => validateSurvey(survey({ caseManagement: null }))).not.toThrow();
  });

  it('a survey needs a name', () => {
    expect(validationError(() => validateSurvey(survey({ name: '   ' }))).message).toMatch(/name/);
  });

  it.each(['1st', 'has space', 'dash-ed', '', 'é', 'a'.repeat(65)])('question name %j is refused', (name) => {
    const error = validationError(() => validateSurvey(survey({ caseManagement: null, questions: [{ name, label: 'x', type: 'text' }] })));
    expect(error.message).toContain(JSON.stringify(name));
  });

  it('question names of letters, digits and underscores up to 64 characters are accepted', () => {
    const questions: Question[] = ['_x', 'Q1', 'a_b_2', 'a'.repeat(64)].map((name) => ({ name, label: name, type: 'text' }));
    expect(() => validateSurvey(survey({ caseManagement: null, questions }))).not.toThrow();
  });

  it('a question name used twice is refused, naming the question', () => {
    const questions: Question[] = [
      { name: 'summary', label: 'a', type: 'text' },
      { name: 'summary', label: 'b', type: 'integer' },
    ];
    expect(validationError(() => validateSurvey(survey({ caseManagement: null, questions }))).message).toMatch(/summary appears twice/);
  });

  it('a select_one question without choices is refused', () => {
    const noChoices: Question[] = [{ name: 'colour', label: 'Colour', type: 'select_one' }];
    const emptyChoices: Question[] = [{ name: 'colour', label: 'Colour', type: 'select_one', choices: [] }];
    expect(validationError(() => validateSurvey(survey({ caseManagement: null, questions: noChoices }))).message).toMatch(
      /colour.*choices/,
    );
    validationError(() => validateSurvey(survey({ caseManagement: null, questions: emptyChoices })));
  });

  it('case management on a question the survey does not have is refused', () => {
    validationError(() => validateSurvey(survey({ caseManagement: { statusQuestion: 'nope', finalStatus: 'done' } })));
  });

  it('case management on a question that is not select_one is refused', () => {
    validationError(() => validateSurvey(survey({ caseManagement: { statusQuestion: 'summary', finalStatus: 'done' } })));
  });

  it('a final status that is not a choice of the status question is refused', () => {
    expect(
      validationError(() => validateSurvey(survey({ caseManagement: { statusQuestion: 'status', finalStatus: 'closed' } }))).message,
    ).toMatch(/final status/);
  });
});

describe('finding a question of a given type', () => {
  it('returns the question when it has that type', () => {
    expect(questionOfType(survey(), 'their_number', 'phone').name).toBe('their_number');
  });

  it('refuses a question of another type or one that does not exist', () => {
    validationError(() => questionOfType(survey(), 'summary', 'phone'));
    validationError(() => questionOfType(survey(), 'missing', 'phone'));
  });
});

describe('edited answers', () => {
  it('answers that fit their questions are accepted', () => {
    expect(() =>
      validateAnswers(survey(), {
        summary: 'Pump broken',
        households: 12,
        depth: '4.5',
        reported_on: '2025-02-28',
        status: 'in_progress',
        their_number: '+447700900123',
      }),
    ).not.toThrow();
  });

  it('an answer to a question the survey does not have is refused', () => {
    expect(validationError(() => validateAnswers(survey(), { colour: 'red' })).message).toContain('"colour"');
  });

  it('the conversation cannot be edited, it is written by messages only', () => {
    validationError(() => validateAnswers(survey(), { conversation: 'I said something else' }));
    validationError(() => validateAnswers(survey(), { conversation: null }));
  });

  it('an empty or null answer clears the question, whatever its type', () => {
    expect(() => validateAnswers(survey(), { households: null, depth: '', reported_on: null, status: '', their_number: '' })).not.toThrow();
  });

  it('a refused answer names its question in the details', () => {
    expect(validationError(() => validateAnswers(survey(), { households: 'many' })).details).toEqual({
      question: 'households',
    });
  });

  describe('text', () => {
    it('accepts text up to 10,000 characters', () => {
      expect(() => validateAnswers(survey(), { summary: 'a'.repeat(10_000) })).not.toThrow();
    });

    it('refuses longer text', () => {
      validationError(() => validateAnswers(survey(), { summary: 'a'.repeat(10_001) }));
    });

    it('refuses a number', () => {
      validationError(() => validateAnswers(survey(), { summary: 12 }));
    });
  });

  describe('integer', () => {
    it('accepts whole numbers, as numbers or as text', () => {
      expect(() => validateAnswers(survey(), { households: 12 })).not.toThrow();
      expect(() => validateAnswers(survey(), { households: '-3' })).not.toThrow();
      expect(() => validateAnswers(survey(), { households: 0 })).not.toThrow();
    });

    it('refuses fractions, words and numbers too large to be exact', () => {
      validationError(() => validateAnswers(survey(), { households: 1.5 }));
      validationError(() => validateAnswers(survey(), { households: '1.5' }));
      validationError(() => validateAnswers(survey(), { households: 'twelve' }));
      validationError(() => validateAnswers(survey(), { households: 2 ** 53 }));
    });
  });

  describe('decimal', () => {
    it('accepts finite numbers, as numbers or as text', () => {
      expect(() => validateAnswers(survey(), { depth: 4.5 })).not.toThrow();
      expect(() => validateAnswers(survey(), { depth: '-0.25' })).not.toThrow();
    });

    it('refuses words and infinities', () => {
      validationError(() => validateAnswers(survey(), { depth: 'deep' }));
      validationError(() => validateAnswers(survey(), { depth: 'Infinity' }));
      validationError(() => validateAnswers(survey(), { depth: Number.NaN }));
    });
  });

  describe('date', () => {
    it('accepts a date written YYYY-MM-DD', () => {
      expect(() => validateAnswers(survey(), { reported_on: '2024-02-29' })).not.toThrow();
    });

    it('refuses other formats and impossible months or days', () => {
      validationError(() => validateAnswers(survey(), { reported_on: '28/02/2025' }));
      validationError(() => validateAnswers(survey(), { reported_on: '2025-2-28' }));
      validationError(() => validateAnswers(survey(), { reported_on: '2025-02-28T10:00:00Z' }));
      validationError(() => validateAnswers(survey(), { reported_on: '2025-13-01' }));
      validationError(() => validateAnswers(survey(), { reported_on: '2025-01-32' }));
      validationError(() => validateAnswers(survey(), { reported_on: 20250228 }));
    });
  });

  describe('select_one', () => {
    it('accepts one of the choices', () => {
      expect(() => validateAnswers(survey(), { status: 'done' })).not.toThrow();
    });

    it('refuses a value that is not a choice, including a label', () => {
      validationError(() => validateAnswers(survey(), { status: 'closed' }));
      validationError(() => validateAnswers(survey(), { status: 'Done' }));
    });

    it('matches a number against a choice written as text', () => {
      const numbered = survey({
        caseManagement: null,
        questions: [{ name: 'rating', label: 'Rating', type: 'select_one', choices: [{ value: '1', label: 'One' }] }],
      });
      expect(() => validateAnswers(numbered, { rating: 1 })).not.toThrow();
      validationError(() => validateAnswers(numbered, { rating: 2 }));
    });
  });

  describe('phone', () => {
    it('accepts an international number', () => {
      expect(() => validateAnswers(survey(), { their_number: '+44 7700 900123' })).not.toThrow();
    });

    it('refuses something that is not a phone number', () => {
      validationError(() => validateAnswers(survey(), { their_number: 'call me' }));
      validationError(() => validateAnswers(survey(), { their_number: 447700900123 }));
    });
  });
});

describe('case status (DESIGN.md §2 rule 10)', () => {
  const cm = { statusQuestion: 'status', finalStatus: 'done' };

  it('a case whose status answer is the final status is closed', () => {
    expect(caseStatus(cm, { status: 'done' })).toBe('closed');
  });

  it('a case with any other status answer is open', () => {
    expect(caseStatus(cm, { status: 'in_progress' })).toBe('open');
  });

  it('a case without a status answer is open', () => {
    expect(caseStatus(cm, {})).toBe('open');
    expect(caseStatus(cm, { status: null })).toBe('open');
  });

  it('a record of a survey without case management is always open', () => {
    expect(caseStatus(null, { status: 'done' })).toBe('open');
  });
});

describe('reopening a case (DESIGN.md §2 rule 10)', () => {
  it('sets the status answer to the first choice that is not the final status', () => {
    expect(reopenedStatus(survey())).toBe('new');
  });

  it('skips the final status when it is the first choice', () => {
    const finalFirst = survey({
      questions: [
        {
          ...statusQuestion,
          choices: [
            { value: 'done', label: 'Done' },
            { value: 'again', label: 'Again' },
          ],
        },
      ],
    });
    expect(reopenedStatus(finalFirst)).toBe('again');
  });

  it('a reopened case is open', () => {
    const s = survey();
    expect(caseStatus(s.caseManagement, { status: reopenedStatus(s) })).toBe('open');
  });

  it('is refused for a survey without case management', () => {
    validationError(() => reopenedStatus(survey({ caseManagement: null })));
  });

  it('is refused when the status question has no choice but the final status', () => {
    const onlyFinal = survey({ questions: [{ ...statusQuestion, choices: [{ value: 'done', label: 'Done' }] }] });
    expect(validationError(() => reopenedStatus(onlyFinal)).message).toMatch(/no choice other than the final status/);
  });
});

describe('select_multiple questions (DESIGN.md §11, §13)', () => {
  const needs: Question = {
    name: 'needs',
    label: 'Needs',
    type: 'select_multiple',
    choices: [
      { value: 'food', label: 'Food' },
      { value: 'water', label: 'Water' },
    ],
  };
  const withNeeds = survey({ questions: [...survey().questions, needs, { name: 'intro', label: 'Hello', type: 'note' }] });

  it('needs choices, each value once and without spaces', () => {
    expect(() => validateSurvey(withNeeds)).not.toThrow();
    expect(validationError(() => validateSurvey(survey({ questions: [{ ...needs, choices: [] }] }))).message).toMatch(/needs choices/);
    const spaced = { ...needs, choices: [{ value: 'clean water', label: 'Clean water' }] };
    expect(validationError(() => validateSurvey(survey({ questions: [spaced] }))).message).toMatch(/cannot contain spaces/);
    const twice = { ...needs, choices: [needs.choices![0]!, needs.choices![0]!] };
    expect(validationError(() => validateSurvey(survey({ questions: [twice] }))).message).toMatch(/twice/);
  });

  it('cannot be the status question of case management', () => {
    const cm = { statusQuestion: 'needs', finalStatus: 'food' };
    expect(validationError(() => validateSurvey({ ...withNeeds, caseManagement: cm })).message).toMatch(/must be a select_one/);
  });

  it('takes an array of distinct choice values; an empty array is no answer', () => {
    expect(() => validateAnswers(withNeeds, { needs: ['water', 'food'] })).not.toThrow();
    expect(() => validateAnswers(withNeeds, { needs: [] })).not.toThrow();
    expect(() => validateAnswers(withNeeds, { needs: null })).not.toThrow();
    validationError(() => validateAnswers(withNeeds, { needs: ['soap'] }));
    validationError(() => validateAnswers(withNeeds, { needs: ['food', 'food'] }));
    validationError(() => validateAnswers(withNeeds, { needs: 'food' }));
    validationError(() => validateAnswers(withNeeds, { status: ['new'] }));
  });

  it('a note holds no answer', () => {
    expect(validationError(() => validateAnswers(withNeeds, { intro: 'x' })).message).toMatch(/note/);
  });
});
