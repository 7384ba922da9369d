import { describe, expect, it } from 'vitest';
import type { SavedReply } from '../../../src/contract/index.js';
import { fillPlaceholders, insertAtSearch, matchSavedReplies, slashSearch } from '../../../src/web/src/saved-replies.js';

const context = { caseNumber: 42, contact: '+447700900123', worker: 'Ana Analyst' };

describe('filling a saved reply', () => {
  it('fills {case}, {contact} and {worker}, every time each appears', () => {
    expect(fillPlaceholders('Hello {contact}, this is {worker} about case #{case}. Quote #{case}.', context)).toBe(
      'Hello +447700900123, this is Ana Analyst about case #42. Quote #42.',
    );
  });

  it('reads placeholders regardless of case and inner spaces, and leaves other braces alone', () => {
    expect(fillPlaceholders('{ Worker } {CASE} {name} {} {case', context)).toBe('Ana Analyst 42 {name} {} {case');
  });

  it('a case without a contact fills {contact} with nothing', () => {
    expect(fillPlaceholders('Hi {contact}!', { ...context, contact: null })).toBe('Hi !');
  });

  it('a worker whose name looks like a placeholder is not filled twice', () => {
    expect(fillPlaceholders('{worker} on {case}', { ...context, worker: '{case}' })).toBe('{case} on 42');
  });
});

describe('the / search in the reply box', () => {
  it('opens at the start of the box or after white space', () => {
    expect(slashSearch('/', 1)).toEqual({ start: 0, query: '' });
    expect(slashSearch('/open', 5)).toEqual({ start: 0, query: 'open' });
    expect(slashSearch('Hello /hou', 10)).toEqual({ start: 6, query: 'hou' });
    expect(slashSearch('Line one\n/add', 13)).toEqual({ start: 9, query: 'add' });
  });

  it('is not a search inside a word, such as and/or or 1/2', () => {
    expect(slashSearch('and/or', 6)).toBeNull();
    expect(slashSearch('1/2', 3)).toBeNull();
    expect(slashSearch('no slash', 8)).toBeNull();
  });

  it('ends at the caret, at a new line, and after 40 characters', () => {
    expect(slashSearch('/open hours', 5)).toEqual({ start: 0, query: 'open' });
    expect(slashSearch('/open\nmore', 10)).toBeNull();
    expect(slashSearch(`/${'x'.repeat(41)}`, 42)).toBeNull();
  });

  it('inserting replaces the / and the search, keeping what follows', () => {
    expect(insertAtSearch('Hi /hou see you', { start: 3 }, 7, 'We open at 9.')).toEqual({ text: 'Hi We open at 9. see you', caret: 16 });
  });
});

describe('finding saved replies', () => {
  const reply = (title: string, text: string): SavedReply => ({ id: title, title, text, language: null, updatedAt: '' });
  const replies = [
    reply('Address', 'Our office is at 12 High Street'),
    reply('Opening hours', 'We are open 9 to 5'),
    reply('Housing benefit', 'Apply for housing support at the council'),
    reply('Café vouchers', 'Vouchers for the café'),
  ];
  const titles = (list: SavedReply[]) => list.map((r) => r.title);

  it('an empty search lists every reply', () => {
    expect(titles(matchSavedReplies(replies, ''))).toEqual(titles(replies));
  });

  it('titles starting with the search come first, then titles holding it, then texts', () => {
    expect(titles(matchSavedReplies(replies, 'hou'))).toEqual(['Housing benefit', 'Opening hours']);
    expect(titles(matchSavedReplies(replies, 'open'))).toEqual(['Opening hours']);
    expect(titles(matchSavedReplies(replies, 'street'))).toEqual(['Address']);
  });

  it('every word must match, in any case and without accents', () => {
    expect(titles(matchSavedReplies(replies, 'HOUSING council'))).toEqual(['Housing benefit']);
    expect(titles(matchSavedReplies(replies, 'cafe'))).toEqual(['Café vouchers']);
    expect(matchSavedReplies(replies, 'housing street')).toEqual([]);
  });
});
