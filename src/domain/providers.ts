/**
 * The providers Caseline speaks and the channels a number can use (DESIGN.md §3). Each
 * adapter declares which of these channels it offers (src/providers); the API's schemas
 * are built from these lists (src/contract).
 */
export const PROVIDER_NAMES = ['sandbox', 'twilio', 'vonage', 'whatsapp-cloud', 'africastalking'] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];

export const CHANNELS = ['sms', 'whatsapp'] as const;
export type Channel = (typeof CHANNELS)[number];

export function isProviderName(name: string): name is ProviderName {
  return (PROVIDER_NAMES as readonly string[]).includes(name);
}

/** A number's webhook addresses; `webhookToken` is the secret path segment, not the number's id (DESIGN.md §13). */
export function webhookUrls(publicUrl: string, provider: ProviderName, webhookToken: string): { inbound: string; status: string } {
  const inbound = `${publicUrl}/webhooks/${provider}/${webhookToken}`;
  return { inbound, status: `${inbound}/status` };
}
