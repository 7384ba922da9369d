import { describe, expect, it } from 'vitest';
import { DomainError } from '../../../src/domain/errors.js';
import {
  MB,
  WHATSAPP_BUSINESS_MEDIA,
  WHATSAPP_CAPTION_MAX,
  checkOutgoingMedia,
  mediaRuleFor,
  whatsappCaption,
  type MediaLimits,
} from '../../../src/domain/media-limits.js';
import { TWILIO_MEDIA } from '../../../src/providers/twilio.js';

const item = (contentType: string | null, size = 1000, name: string | null = 'file') => ({ contentType, size, name });

/** The code `checkOutgoingMedia` refuses with, or null when it accepts. */
function refusal(limits: MediaLimits | undefined, items: ReturnType<typeof item>[]): string | null {
  try {
    checkOutgoingMedia(limits, items, 'The provider');
    return null;
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    return (error as DomainError).code;
  }
}

describe('checkOutgoingMedia', () => {
  it('no attachments are always fine, even where none are carried', () => {
    expect(refusal(undefined, [])).toBeNull();
  });

  it('a channel that carries none refuses any attachment with media_not_supported', () => {
    expect(refusal(undefined, [item('image/png')])).toBe('media_not_supported');
  });

  it('more items than a message carries is too_many_media', () => {
    expect(refusal(WHATSAPP_BUSINESS_MEDIA, [item('image/png'), item('image/png')])).toBe('too_many_media');
    expect(
      refusal(
        TWILIO_MEDIA.sms,
        Array.from({ length: 10 }, () => item('image/png')),
      ),
    ).toBeNull();
  });

  it('a type the provider does not send is media_type_not_supported, read without its parameters', () => {
    expect(refusal(WHATSAPP_BUSINESS_MEDIA, [item('image/gif')])).toBe('media_type_not_supported');
    expect(refusal(WHATSAPP_BUSINESS_MEDIA, [item(null)])).toBe('media_type_not_supported');
    expect(refusal(WHATSAPP_BUSINESS_MEDIA, [item('audio/ogg; codecs=opus')])).toBeNull();
  });

  it('each kind has its own size: a 6 MB image is refused where a 6 MB voice note is not', () => {
    expect(refusal(WHATSAPP_BUSINESS_MEDIA, [item('image/jpeg', 6 * MB)])).toBe('media_too_large');
    expect(refusal(WHATSAPP_BUSINESS_MEDIA, [item('audio/mpeg', 6 * MB)])).toBeNull();
    expect(refusal(WHATSAPP_BUSINESS_MEDIA, [item('image/jpeg', 5 * MB)])).toBeNull();
  });

  it('a limit on the whole message counts every item together', () => {
    expect(refusal(TWILIO_MEDIA.sms, [item('image/png', 3 * MB), item('image/png', 2 * MB)])).toBeNull();
    expect(refusal(TWILIO_MEDIA.sms, [item('image/png', 3 * MB), item('image/png', 2 * MB + 1)])).toBe('media_too_large');
  });

  it('a family pattern matches every type of the family', () => {
    expect(mediaRuleFor(TWILIO_MEDIA.sms!, 'video/quicktime')?.kind).toBe('video');
    expect(mediaRuleFor(TWILIO_MEDIA.sms!, 'application/zip')).toBeUndefined();
  });
});

describe('whatsappCaption', () => {
  it('an image, video or document carries the text as its caption', () => {
    expect(whatsappCaption('image', 'The form #4')).toEqual({ caption: 'The form #4' });
    expect(whatsappCaption('document', 'The form #4')).toEqual({ caption: 'The form #4' });
  });

  it('a voice note takes no caption: its text goes first, as a message of its own', () => {
    expect(whatsappCaption('audio', 'Listen #4')).toEqual({ textFirst: 'Listen #4' });
  });

  it('a text longer than a caption goes whole, first, rather than cut', () => {
    const long = 'a'.repeat(WHATSAPP_CAPTION_MAX + 1);
    expect(whatsappCaption('image', long)).toEqual({ textFirst: long });
  });

  it('no text, nothing besides the attachment', () => {
    expect(whatsappCaption('audio', '')).toEqual({});
  });
});
