import { expect } from 'vitest';
import { SendError, type OutboundMessage } from '../../src/providers/provider.js';

/** What the adapter unit tests share: an outbound message and ways to catch errors. */
export function outboundMessage(webhookUrl: string, overrides: Partial<OutboundMessage> = {}): OutboundMessage {
  return {
    messageId: 'msg_1',
    to: '+447700900123',
    text: 'Your appointment is on Monday #12',
    template: null,
    statusCallbackUrl: `${webhookUrl}/status`,
    media: [],
    ...overrides,
  };
}

/** The SendError a send rejected with (fails the test if it resolved or threw something else). */
export async function sendError(promise: Promise<unknown>): Promise<SendError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(SendError);
  return error as SendError;
}

export function thrownBy(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  return undefined;
}
