import { describe, expect, it } from 'vitest';
import { ErrorSchema, Message, NumberCreate, Question, RecordView, UserCreate } from '../../../src/contract/index.js';
import { SERVER_EVENT_TYPES } from '../../../src/contract/index.js';
import { CONSOLE_EVENT_TYPES } from '../../../src/domain/change-events.js';
import { ERROR_CODES } from '../../../src/domain/errors.js';
import { MESSAGE_STATUSES } from '../../../src/domain/message-status.js';
import { CHANNELS, PROVIDER_NAMES } from '../../../src/domain/providers.js';
import { ROLES } from '../../../src/domain/roles.js';
import { QUESTION_TYPES } from '../../../src/domain/survey.js';
import { createProviderRegistry } from '../../../src/providers/registry.js';

/** The values a schema allows: the literals of a union, or the enum of a string. */
function allowed(schema: object): unknown[] {
  const { anyOf, enum: values } = schema as { anyOf?: Array<{ const?: unknown }>; enum?: unknown[] };
  return values ?? (anyOf ?? []).map((s) => s.const).filter((v) => v !== undefined);
}

const registry = createProviderRegistry({
  twilio: 'https://api.twilio.com',
  vonage: 'https://api.nexmo.com',
  whatsapp: 'https://graph.facebook.com',
  africastalking: 'https://api.africastalking.com',
});

describe('one contract, built from the domain’s lists (STYLE.md habit 10)', () => {
  it('a number’s provider and channel are the domain’s providers and channels', () => {
    expect(allowed(NumberCreate.properties.provider)).toEqual([...PROVIDER_NAMES]);
    expect(allowed(NumberCreate.properties.channel)).toEqual([...CHANNELS]);
  });

  it('a question’s type is one of the domain’s question types', () => {
    expect(allowed(Question.properties.type)).toEqual([...QUESTION_TYPES]);
  });

  it('a user’s role is one of the domain’s roles', () => {
    expect(allowed(UserCreate.properties.role)).toEqual([...ROLES]);
  });

  it('a message’s status and channel, and a record’s channel, are documented from the domain’s lists', () => {
    expect(allowed(Message.properties.status)).toEqual([...MESSAGE_STATUSES]);
    expect(allowed(Message.properties.channel)).toEqual([...CHANNELS]);
    expect(allowed(RecordView.properties.channel.anyOf[0])).toEqual([...CHANNELS]);
  });

  it('every domain error code is a documented error code', () => {
    expect(allowed(ErrorSchema.properties.error.properties.code)).toEqual(expect.arrayContaining([...ERROR_CODES]));
  });

  it('the console hears the domain’s console events', () => {
    expect(SERVER_EVENT_TYPES).toBe(CONSOLE_EVENT_TYPES);
  });
});

describe('providers declare their channels', () => {
  it('every provider of the domain has an adapter, and each declares channels of the domain', () => {
    expect(Object.keys(registry).sort()).toEqual([...PROVIDER_NAMES].sort());
    for (const adapter of Object.values(registry)) {
      expect(adapter.channels.length).toBeGreaterThan(0);
      for (const channel of adapter.channels) expect(CHANNELS).toContain(channel);
    }
  });

  it('WhatsApp Cloud numbers are WhatsApp only and Africa’s Talking numbers SMS only', () => {
    expect(registry['whatsapp-cloud']?.channels).toEqual(['whatsapp']);
    expect(registry.africastalking?.channels).toEqual(['sms']);
    expect(registry.twilio?.channels).toEqual(['sms', 'whatsapp']);
  });
});
