import type { Channel, Provider } from '../../api/types.js';

export const PROVIDER_LABELS: Record<Provider, string> = {
  sandbox: 'Sandbox (phone simulator)',
  twilio: 'Twilio',
  vonage: 'Vonage Messages API',
  'whatsapp-cloud': 'WhatsApp Cloud API (Meta)',
  africastalking: "Africa's Talking",
};

export const PROVIDER_CHANNELS: Record<Provider, Channel[]> = {
  sandbox: ['sms', 'whatsapp'],
  twilio: ['sms', 'whatsapp'],
  vonage: ['sms', 'whatsapp'],
  'whatsapp-cloud': ['whatsapp'],
  africastalking: ['sms'],
};

export interface CredentialField {
  key: string;
  label: string;
  multiline?: boolean;
  secret?: boolean;
  optional?: boolean;
  hint?: string;
}

/** The credentials each provider needs (DESIGN.md §4); the server never returns them. */
export const CREDENTIAL_FIELDS: Record<Provider, CredentialField[]> = {
  sandbox: [
    {
      key: 'webhookSecret',
      label: 'Webhook secret',
      secret: true,
      optional: true,
      hint: 'At least 16 characters. Leave empty to have one generated.',
    },
  ],
  twilio: [
    { key: 'accountSid', label: 'Account SID' },
    { key: 'authToken', label: 'Auth token', secret: true },
  ],
  vonage: [
    { key: 'applicationId', label: 'Application ID' },
    { key: 'privateKey', label: 'Private key (PEM)', multiline: true, secret: true },
    { key: 'signatureSecret', label: 'Signature secret', secret: true },
  ],
  'whatsapp-cloud': [
    { key: 'phoneNumberId', label: 'Phone number ID' },
    { key: 'accessToken', label: 'Access token', secret: true },
    { key: 'appSecret', label: 'App secret', secret: true },
    { key: 'verifyToken', label: 'Verify token', secret: true, hint: "The token you enter in Meta's webhook settings." },
    {
      key: 'businessAccountId',
      label: 'WhatsApp Business Account ID',
      optional: true,
      hint: 'Needed to sync the approved templates: Meta lists them under the business account.',
    },
  ],
  africastalking: [
    { key: 'username', label: 'Username' },
    { key: 'apiKey', label: 'API key', secret: true },
  ],
};

/** Every provider, in the order the form offers them (the labels' record lists each once). */
export const PROVIDERS = Object.keys(PROVIDER_LABELS) as Provider[];
