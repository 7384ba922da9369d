import { describe, expect, it } from 'vitest';
import { containsNul, storableText } from '../../../src/domain/text.js';

function nested(depth: number, leaf: unknown): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? [value] : { a: value };
  return value;
}

describe('NUL characters in API bodies', () => {
  it('are found in a string, a key or a value at any depth', () => {
    expect(containsNul('a\u0000b')).toBe(true);
    expect(containsNul({ ['k\u0000']: 1 })).toBe(true);
    expect(containsNul({ a: [1, { b: 'x\u0000' }] })).toBe(true);
    expect(containsNul({ a: [1, { b: 'x' }], c: null })).toBe(false);
  });

  it('are looked for in a body nested 200,000 levels deep without exhausting the stack', () => {
    expect(containsNul(nested(200_000, 'fine'))).toBe(false);
    expect(containsNul(nested(200_000, 'bad\u0000'))).toBe(true);
  });

  it('in inbound text keep their place as U+FFFD', () => {
    expect(storableText('a\u0000b')).toBe('a\uFFFDb');
  });
});

describe('half a surrogate pair in inbound text', () => {
  it('keeps its place as U+FFFD, at either end or alone', () => {
    expect(storableText('a\ud800b')).toBe('a\uFFFDb');
    expect(storableText('\udc00a')).toBe('\uFFFDa');
    expect(storableText('a\udbff')).toBe('a\uFFFD');
    expect(storableText('\udfff\ud800')).toBe('\uFFFD\uFFFD');
  });

  it('leaves whole pairs and other text as they are', () => {
    expect(storableText('whole \u{1F600} and \u{10FFFF}')).toBe('whole \u{1F600} and \u{10FFFF}');
    expect(storableText('plain')).toBe('plain');
  });
});
