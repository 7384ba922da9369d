import { describe, expect, it } from 'vitest';
import '../../support/console-english.js';
import { humaniseQuestionTypes } from '../../../src/web/src/screens/admin/question-types.js';

describe('survey errors in the words the survey screen uses', () => {
  it('a type id becomes the label shown in the type list', () => {
    expect(humaniseQuestionTypes('Question topic is select_one and needs choices')).toBe(
      'Question topic is “Select one” and needs choices',
    );
    expect(humaniseQuestionTypes('The status question of case management must be a select_one question')).toBe(
      'The status question of case management must be a “Select one” question',
    );
    expect(humaniseQuestionTypes('Answer to age is not a valid integer')).toBe('Answer to age is not a valid “Whole number”');
  });

  it('ordinary words that happen to be type ids are left alone', () => {
    expect(humaniseQuestionTypes('A survey needs a name and some text')).toBe('A survey needs a name and some text');
  });
});
