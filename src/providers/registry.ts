import type { ProviderApiUrls } from '../config.js';
import type { ProviderRegistry } from './provider.js';
import { sandboxProvider } from './sandbox.js';

/** Every provider adapter, with its API base URL from configuration. */
export function createProviderRegistry(_urls: ProviderApiUrls): ProviderRegistry {
  return { sandbox: sandboxProvider };
}
