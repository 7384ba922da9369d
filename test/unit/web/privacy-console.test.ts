import '../../support/console-english.js';
import { describe, expect, it } from 'vitest';
import { attachmentName } from '../../../src/web/src/api/client.js';
import { describeCounts, privacyErrorText, sameNumber } from '../../../src/web/src/privacy-words.js';
import { parseRoute, paths } from '../../../src/web/src/router.js';

describe('the privacy console', () => {
  it('reads counts in words, one or many, in the order given', () => {
    expect(describeCounts({ cases: 1, messages: 3, media: 0 })).toBe('1 case, 3 messages and 0 media items');
    expect(describeCounts({ records: 2, messages: 1, media: 1 })).toBe('2 cases, 1 message and 1 media item');
    expect(describeCounts({ messages: 5 })).toBe('5 messages');
  });

  it('leaves a dry run flag out of the counts and names a count it does not know', () => {
    expect(describeCounts({ cases: 0, messages: 0, media: 0, dryRun: true })).toBe('0 cases, 0 messages and 0 media items');
    expect(describeCounts({ files: 4, media: 2 })).toBe('files: 4 and 2 media items');
    expect(describeCounts({ dryRun: true })).toBe('nothing');
  });

  it('confirms an erasure only when the same number is typed twice, however it is spaced', () => {
    expect(sameNumber('+44 7700 900123', '+447700900123')).toBe(true);
    expect(sameNumber('+1 (555) 555-0140', '+1.555.555.0140')).toBe(true);
    expect(sameNumber('+447700900123', '+447700900124')).toBe(false);
    expect(sameNumber('+447700900123', '447700900123')).toBe(false);
    expect(sameNumber('', '')).toBe(false);
    expect(sameNumber('  ', ' ')).toBe(false);
  });

  it('explains a refused erasure or export by its code, and keeps an unknown code visible', () => {
    expect(privacyErrorText('invalid_phone_number', 'contact is not a phone number')).toMatch(/not a phone number Caseline can read/);
    expect(privacyErrorText('forbidden', 'Your role does not allow this action')).toMatch(/Only administrators/);
    expect(privacyErrorText('validation_failed', 'contact must be at most 64 characters')).toBe(
      'The request was refused: contact must be at most 64 characters',
    );
    expect(privacyErrorText('rate_limited', 'Too many requests')).toBe('Too many requests (rate_limited)');
  });

  it("takes a download's file name from Content-Disposition, preferring its UTF-8 form", () => {
    expect(attachmentName('attachment; filename="caseline-export-2026-11-30.zip"')).toBe('caseline-export-2026-11-30.zip');
    expect(attachmentName('attachment; filename=export.zip')).toBe('export.zip');
    expect(attachmentName(`attachment; filename="export.zip"; filename*=UTF-8''donn%C3%A9es.zip`)).toBe('données.zip');
    expect(attachmentName(`attachment; filename="plain.zip"; filename*=UTF-8''%E0%A4%A.zip`)).toBe('plain.zip');
    expect(attachmentName('attachment')).toBeNull();
    expect(attachmentName(null)).toBeNull();
  });

  it('routes #/admin/privacy to the privacy screen and nothing under it', () => {
    expect(parseRoute(paths.privacy())).toEqual({ name: 'privacy' });
    expect(parseRoute('#/admin/privacy/extra').name).toBe('not-found');
  });
});
