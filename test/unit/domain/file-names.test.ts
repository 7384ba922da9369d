import { describe, expect, it } from 'vitest';
import { MAX_FILE_NAME_LENGTH, sanitiseFileName } from '../../../src/domain/file-names.js';

describe('the name an uploaded file keeps', () => {
  it('keeps an ordinary name, in any script', () => {
    expect(sanitiseFileName('Scan 12.pdf')).toBe('Scan 12.pdf');
    expect(sanitiseFileName('صورة الإصابة.jpg')).toBe('صورة الإصابة.jpg');
  });

  it('drops any path, on either kind of separator', () => {
    expect(sanitiseFileName('../../etc/passwd')).toBe('passwd');
    expect(sanitiseFileName('C:\\Users\\me\\letter.pdf')).toBe('letter.pdf');
  });

  it('removes control characters and direction overrides, and folds white space', () => {
    expect(sanitiseFileName('in\u0000voice\u202Efdp.exe')).toBe('invoicefdp.exe');
    expect(sanitiseFileName('  two\t\tspaces\r\n.txt ')).toBe('two spaces .txt');
  });

  it('has no name when nothing is left', () => {
    for (const raw of [null, undefined, '', '   ', '.', '..', 'folder/', '\u0001\u0002']) expect(sanitiseFileName(raw)).toBeNull();
  });

  it('cuts a long name to 200 characters, keeping its extension and whole characters', () => {
    expect(sanitiseFileName(`${'a'.repeat(250)}.jpeg`)).toBe(`${'a'.repeat(MAX_FILE_NAME_LENGTH - 5)}.jpeg`);
    const emoji = sanitiseFileName('👩‍👩‍👧'.repeat(300))!;
    expect([...new Intl.Segmenter().segment(emoji)]).toHaveLength(MAX_FILE_NAME_LENGTH);
    expect(emoji.endsWith('👩‍👩‍👧')).toBe(true);
  });
});
