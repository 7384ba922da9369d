/**
 * What Twilio and Vonage do with an attachment's URL before they deliver a send: fetch it
 * from Caseline's public `/media/out/{token}` (Twilio checks the type with a HEAD first).
 * The fakes record what they got, so a test proves the link works and serves the bytes.
 */
export interface ProviderFetch {
  /** The id the fake answered the send with (MessageSid, message_uuid). */
  messageId: string;
  url: string;
  /** The HEAD's status, when the provider sends one first. */
  headStatus: number | null;
  status: number;
  contentType: string | null;
  contentDisposition: string | null;
  bytes: Buffer;
}

export async function fetchAsProvider(messageId: string, url: string, options: { head?: boolean } = {}): Promise<ProviderFetch> {
  let headStatus: number | null = null;
  try {
    if (options.head) headStatus = (await fetch(url, { method: 'HEAD' })).status;
    const response = await fetch(url);
    return {
      messageId,
      url,
      headStatus,
      status: response.status,
      contentType: response.headers.get('content-type'),
      contentDisposition: response.headers.get('content-disposition'),
      bytes: Buffer.from(await response.arrayBuffer()),
    };
  } catch {
    // Unreachable, as for a provider: recorded, and the send still accepted (the provider
    // reports the failure later, in a status callback).
    return { messageId, url, headStatus, status: 0, contentType: null, contentDisposition: null, bytes: Buffer.alloc(0) };
  }
}
