import { describe, expect, it } from 'vitest';
import { createProviderRegistry } from '../../../src/providers/registry.js';

describe('the provider registry', () => {
  it('offers every provider under its own name, the sandbox included', () => {
    const registry = createProviderRegistry({
      twilio: 'https://api.twilio.com',
      vonage: 'https://api.nexmo.com',
      whatsapp: 'https://graph.facebook.com',
      africastalking: 'https://api.africastalking.com',
    });
    expect(Object.keys(registry).sort()).toEqual(['africastalking', 'sandbox', 'twilio', 'vonage', 'whatsapp-cloud']);
    for (const [name, adapter] of Object.entries(registry)) expect(adapter?.name).toBe(name);
  });
});
