import { describe, expect, it } from 'vitest';
import type { ProviderNumber } from '../../../src/providers/provider.js';
import { twilioProvider } from '../../../src/providers/twilio.js';
import { vonageProvider } from '../../../src/providers/vonage.js';
import { whatsappCloudProvider } from '../../../src/providers/whatsapp-cloud.js';
import { jsonFixture, twilioFormFixture } from '../../fixtures/providers/fixtures.js';
import { webhookRequestFrom } from '../../support/fake-server.js';
import { signTwilioWebhook } from '../../support/fake-twilio.js';
import { signVonageWebhook, vonageApplication } from '../../support/fake-vonage.js';
import { signWhatsAppWebhook } from '../../support/fake-whatsapp-cloud.js';

/**
 * DESIGN.md §6, readable kinds: one place shared from WhatsApp reads the same whichever
 * provider carried it, so a worker never learns a provider's way of writing a location.
 */
const url = 'https://caseline.example.org/webhooks/any/token';
const twilio: ProviderNumber<'twilio'> = {
  id: 'num_t',
  provider: 'twilio',
  channel: 'whatsapp',
  ourNumber: '+14155238886',
  template: null,
  credentials: { accountSid: `AC${'5e'.repeat(16)}`, authToken: '9f86d081884c7d659a2feaa0c55ad015' },
};
const meta: ProviderNumber<'whatsapp-cloud'> = {
  id: 'num_m',
  provider: 'whatsapp-cloud',
  channel: 'whatsapp',
  ourNumber: '+15550783881',
  template: null,
  credentials: { phoneNumberId: '106540352242922', accessToken: 'EAA-test', appSecret: 'meta-app-secret', verifyToken: 'v' },
};
const app = vonageApplication();
const vonage: ProviderNumber<'vonage'> = {
  id: 'num_v',
  provider: 'vonage',
  channel: 'whatsapp',
  ourNumber: '+14157386102',
  template: null,
  credentials: { applicationId: app.applicationId, privateKey: app.privateKey, signatureSecret: 'vonage-signature-secret-0123456789' },
};

function textFrom(parsed: { messages: Array<{ text: string }> }): string {
  expect(parsed.messages).toHaveLength(1);
  return parsed.messages[0]!.text;
}

describe('a shared location on every provider', () => {
  it('reads the same on Twilio, WhatsApp Cloud and Vonage: name, address and a map link from the coordinates', () => {
    const fields = twilioFormFixture('twilio-whatsapp-location');
    const viaTwilio = textFrom(
      twilioProvider({ apiUrl: 'http://127.0.0.1:1' }).parse(
        webhookRequestFrom(url, signTwilioWebhook(url, fields, twilio.credentials.authToken)),
        twilio,
      ),
    );
    const viaMeta = textFrom(
      whatsappCloudProvider({ apiUrl: 'http://127.0.0.1:1' }).parse(
        webhookRequestFrom(url, signWhatsAppWebhook(jsonFixture('whatsapp-cloud-location'), meta.credentials.appSecret)),
        meta,
      ),
    );
    const viaVonage = textFrom(
      vonageProvider({ apiUrl: 'http://127.0.0.1:1' }).parse(
        webhookRequestFrom(
          url,
          signVonageWebhook(jsonFixture('vonage-whatsapp-location'), {
            signatureSecret: vonage.credentials.signatureSecret,
            applicationId: app.applicationId,
          }),
        ),
        vonage,
      ),
    );
    const expected =
      'Location: Citizens Advice Westminster, Trafalgar Square, London WC2N 5DN\n' +
      'https://www.openstreetmap.org/?mlat=51.5072178&mlon=-0.1275862#map=17/51.5072178/-0.1275862';
    expect({ viaTwilio, viaMeta, viaVonage }).toEqual({ viaTwilio: expected, viaMeta: expected, viaVonage: expected });
  });

  it('never shows a link the sender supplied, only one built from the coordinates', () => {
    const payload = jsonFixture('whatsapp-cloud-location');
    const parsed = whatsappCloudProvider({ apiUrl: 'http://127.0.0.1:1' }).parse(
      webhookRequestFrom(url, signWhatsAppWebhook(payload, meta.credentials.appSecret)),
      meta,
    );
    expect(textFrom(parsed)).not.toContain('example.com');
  });
});
