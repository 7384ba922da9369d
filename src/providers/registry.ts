import type { ProviderApiUrls } from '../config.js';
import { africasTalkingProvider } from './africastalking.js';
import type { ProviderRegistry } from './provider.js';
import { sandboxProvider } from './sandbox.js';
import { twilioProvider } from './twilio.js';
import { vonageProvider } from './vonage.js';
import { whatsappCloudProvider } from './whatsapp-cloud.js';

export interface ProviderRegistryOptions {
  /** How long a send may wait for the provider's answer; 15 s unless a test shortens it. */
  timeoutMs?: number;
}

/** Every provider Caseline speaks, each pointed at its configured API base URL (DESIGN.md §3, §4). */
export function createProviderRegistry(urls: ProviderApiUrls, options: ProviderRegistryOptions = {}): ProviderRegistry {
  const { timeoutMs } = options;
  return {
    sandbox: sandboxProvider,
    twilio: twilioProvider({ apiUrl: urls.twilio, timeoutMs }),
    vonage: vonageProvider({ apiUrl: urls.vonage, timeoutMs }),
    'whatsapp-cloud': whatsappCloudProvider({ apiUrl: urls.whatsapp, timeoutMs }),
    africastalking: africasTalkingProvider({ apiUrl: urls.africastalking, timeoutMs }),
  };
}
