import fc from 'fast-check';
import { getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks.js';
import { describe, expect, it } from 'vitest';
import { formSignature } from '../../src/providers/twilio.js';

describe("Twilio's form signature", () => {
  it("matches the official SDK's for any URL and fields", () => {
    fc.assert(
      fc.property(
        fc.webUrl({ withQueryParameters: true }),
        fc.dictionary(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' })),
        fc.string({ unit: fc.constantFrom(...'0123456789abcdef'.split('')) /* ASCII hex digits */, minLength: 32, maxLength: 32 }),
        (url, fields, authToken) => {
          expect(formSignature(authToken, url, fields)).toBe(getExpectedTwilioSignature(authToken, url, fields));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
