/** WhatsApp's customer-service window (DESIGN.md §2 rule 12). */
export const WHATSAPP_WINDOW_MS = 24 * 60 * 60 * 1000;

/** When the window opened by the contact's last message closes; null when they never wrote. */
export function windowClosesAtOf(lastInboundAt: number | null): number | null {
  return lastInboundAt === null ? null : lastInboundAt + WHATSAPP_WINDOW_MS;
}

export function isWindowOpen(lastInboundAt: number | null, now: number): boolean {
  return lastInboundAt !== null && now - lastInboundAt <= WHATSAPP_WINDOW_MS;
}
