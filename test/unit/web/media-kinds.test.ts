import { describe, expect, it } from 'vitest';
import '../../support/console-english.js';
import { describeType, formatBytes, mediaKind } from '../../../src/web/src/media-kinds.js';

describe('how the console shows a media item', () => {
  it('plays images, audio and video in the page and offers everything else as a download', () => {
    expect(mediaKind('image/jpeg')).toBe('image');
    expect(mediaKind('audio/ogg; codecs=opus')).toBe('audio');
    expect(mediaKind('video/mp4')).toBe('video');
    expect(mediaKind('application/pdf')).toBe('document');
    expect(mediaKind(null)).toBe('document');
  });

  it('never shows an SVG inline: it can carry script', () => {
    expect(mediaKind('image/svg+xml')).toBe('document');
  });

  it('writes sizes as a phone does, in units of 1024', () => {
    expect(formatBytes(0)).toBe('0 bytes');
    expect(formatBytes(1)).toBe('1 byte');
    expect(formatBytes(532)).toBe('532 bytes');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(1.2 * 1024 * 1024)).toBe('1.2 MB');
    expect(formatBytes(16 * 1024 * 1024)).toBe('16 MB');
    expect(formatBytes(1024 * 1024 - 1)).toBe('1 MB');
    expect(formatBytes(null)).toBe('');
  });

  it('names common document types in words and falls back to the type itself', () => {
    expect(describeType('application/pdf')).toBe('PDF');
    expect(describeType('application/vnd.openxmlformats-officedocument.wordprocessingml.document')).toBe('Word document');
    expect(describeType('image/jpeg')).toBe('JPEG image');
    expect(describeType('audio/ogg')).toBe('OGG audio');
    expect(describeType('application/x-custom')).toBe('application/x-custom');
    expect(describeType(null)).toBe('File');
  });
});
