import type { TFunction } from 'i18next';
import type { Channel, Provider } from '../../api/types.js';

/** Each provider as it names itself, the same in every language; the sandbox is Caseline's own. */
const PROVIDER_NAMES: Record<Provider, string> = {
  sandbox: 'Sandbox',
  twilio: 'Twilio',
  vonage: 'Vonage Messages API',
  'whatsapp-cloud': 'WhatsApp Cloud API (Meta)',
  africastalking: "Africa's Talking",
};

/** The provider's name as the console shows it; only the sandbox's explanation is translated. */
export function providerLabel(provider: Provider, t: TFunction<'numbers'>): string {
  return provider === 'sandbox' ? t('providers.sandbox') : PROVIDER_NAMES[provider];
}

export const PROVIDER_CHANNELS: Record<Provider, Channel[]> = {
  sandbox: ['sms', 'whatsapp'],
  twilio: ['sms', 'whatsapp'],
  vonage: ['sms', 'whatsapp'],
  'whatsapp-cloud': ['whatsapp'],
  africastalking: ['sms'],
};

/** Caseline's own words about a credential, translated (the `numbers` namespace). */
type CredentialText =
  'credentials.webhookSecret' | 'credentials.webhookSecretHint' | 'credentials.verifyTokenHint' | 'credentials.businessAccountIdHint';

/**
 * A credential's name: as the provider spells it in its own console (`label`), which stays
 * untranslated so an admin finds it there, or Caseline's own name for it (`labelKey`).
 */
type CredentialName = { label: string; labelKey?: never } | { labelKey: CredentialText; label?: never };

export type CredentialField = CredentialName & {
  key: string;
  multiline?: boolean;
  secret?: boolean;
  optional?: boolean;
  hint?: CredentialText;
};

export function credentialLabel(field: CredentialField, t: TFunction<'numbers'>): string {
  return field.labelKey ? t(field.labelKey) : field.label;
}

/** The credentials each provider needs (DESIGN.md §4); the server never returns them. */
export const CREDENTIAL_FIELDS: Record<Provider, CredentialField[]> = {
  sandbox: [
    {
      key: 'webhookSecret',
      labelKey: 'credentials.webhookSecret',
      secret: true,
      optional: true,
      hint: 'credentials.webhookSecretHint',
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
    { key: 'verifyToken', label: 'Verify token', secret: true, hint: 'credentials.verifyTokenHint' },
    {
      key: 'businessAccountId',
      label: 'WhatsApp Business Account ID',
      optional: true,
      hint: 'credentials.businessAccountIdHint',
    },
  ],
  africastalking: [
    { key: 'username', label: 'Username' },
    { key: 'apiKey', label: 'API key', secret: true },
  ],
};

/** Every provider, in the order the form offers them (the names' record lists each once). */
export const PROVIDERS = Object.keys(PROVIDER_NAMES) as Provider[];
