/**
 * Messages that are not plain text, written as text a case worker can read (DESIGN.md §6,
 * "Readable kinds"). Every adapter that receives one of these kinds renders it here, so the
 * same location, flow reply or shared contact reads the same on every provider. The result
 * is plain text (no markup: the console shows it as text), one idea per line, bounded.
 */

/** A name, address or answer longer than this is cut: it is a note for a reader, not the data. */
const MAX_FIELD = 300;
/** Flow answers and shared contacts shown; the rest are counted. */
const MAX_LINES = 30;
/** Phone numbers shown per shared contact. */
const MAX_PHONES = 10;
/** The whole text; WhatsApp's own limit for a text message. */
const MAX_TEXT = 4096;

export interface Place {
  /** The place's name (Meta and Vonage `name`, Twilio `Label`). */
  name?: unknown;
  address?: unknown;
}

/**
 * "Location: <name>, <address>" and, on the next line, a map link built from the
 * coordinates alone (never a link the sender supplied). Without a name or address the
 * coordinates stand in; coordinates out of range give no link.
 */
export function locationText(place: Place | null, latitude: unknown, longitude: unknown): string {
  const where = [oneLine(place?.name), oneLine(place?.address)].filter(Boolean).join(', ');
  const point = coordinates(latitude, longitude);
  const lines = [`Location: ${where || (point ? `${point.lat}, ${point.long}` : 'no place or coordinates given')}`];
  if (point) lines.push(mapLink(point));
  return lines.join('\n');
}

/** OpenStreetMap: no account, no consent wall, opens in any browser; the pin is the point. */
function mapLink({ lat, long }: { lat: string; long: string }): string {
  return `https://www.openstreetmap.org/?mlat=${lat}&mlon=${long}#map=17/${lat}/${long}`;
}

function coordinates(latitude: unknown, longitude: unknown): { lat: string; long: string } | null {
  const lat = asFiniteNumber(latitude);
  const long = asFiniteNumber(longitude);
  if (lat === null || long === null || Math.abs(lat) > 90 || Math.abs(long) > 180) return null;
  // Written back from the number, so nothing but digits, sign and point reaches the link.
  return { lat: String(lat), long: String(long) };
}

function asFiniteNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value !== 'string' || !/^\s*[-+]?\d+(\.\d+)?\s*$/.test(value)) return null;
  return Number(value);
}

/**
 * A WhatsApp Flow's answers: the reply's body (what the person saw, e.g. "Sent"), then one
 * "question: answer" line per answer. `flow_token` is our own correlation value, not an
 * answer. Field names Meta's Flow Builder generates (`screen_0_Name_0`) read as "Name".
 * Answers that are not a JSON object are left out rather than refusing the message.
 */
export function flowReplyText(body: unknown, responseJson: unknown): string {
  const lines: string[] = [];
  const said = oneLine(body);
  if (said) lines.push(said);
  const answers = Object.entries(parseObject(responseJson) ?? {}).filter(([key]) => key !== 'flow_token');
  for (const [key, value] of answers.slice(0, MAX_LINES)) {
    lines.push(`${answerLabel(key)}: ${answerText(value)}`);
  }
  if (answers.length > MAX_LINES) lines.push(`… and ${answers.length - MAX_LINES} more answers`);
  return bounded(lines.length > 0 ? lines.join('\n') : '[flow reply]');
}

function parseObject(json: unknown): Record<string, unknown> | null {
  if (typeof json !== 'string') return null;
  try {
    const value = JSON.parse(json) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function answerLabel(key: string): string {
  const generated = /^screen_\d+_(.+)_\d+$/.exec(key)?.[1];
  return oneLine((generated ?? key).replaceAll('_', ' ')) || key;
}

function answerText(value: unknown): string {
  if (typeof value === 'string') return oneLine(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return oneLine(value.map((item) => (typeof item === 'string' ? item : JSON.stringify(item))).join(', '));
  if (value === null || value === undefined) return '';
  return oneLine(JSON.stringify(value));
}

export interface SharedContact {
  name?: {
    formatted_name?: unknown;
    first_name?: unknown;
    middle_name?: unknown;
    last_name?: unknown;
  } | null;
  phones?: Array<{ phone?: unknown; wa_id?: unknown } | null> | null;
}

/** One line per shared contact: "Contact: <name>, <phone>, <phone>". */
export function sharedContactsText(contacts: readonly SharedContact[]): string {
  const lines = contacts.slice(0, MAX_LINES).map((contact) => {
    const name = contactName(contact.name ?? null);
    const phones = (Array.isArray(contact.phones) ? contact.phones : [])
      .map((phone) => oneLine(phone?.phone) || (typeof phone?.wa_id === 'string' && /^\d+$/.test(phone.wa_id) ? `+${phone.wa_id}` : ''))
      .filter(Boolean)
      .slice(0, MAX_PHONES);
    return `Contact: ${[name || 'no name', ...phones].join(', ')}`;
  });
  if (contacts.length > MAX_LINES) lines.push(`… and ${contacts.length - MAX_LINES} more contacts`);
  return bounded(lines.length > 0 ? lines.join('\n') : '[contacts message]');
}

function contactName(name: NonNullable<SharedContact['name']> | null): string {
  if (!name) return '';
  return oneLine(name.formatted_name) || [name.first_name, name.middle_name, name.last_name].map(oneLine).filter(Boolean).join(' ');
}

/** A value as one line of text: whitespace and control characters collapse to one space. */
function oneLine(value: unknown): string {
  if (typeof value !== 'string') return '';
  // eslint-disable-next-line no-control-regex -- control characters are exactly what goes
  const flat = value.replace(/[\s\u0000-\u001f\u007f]+/g, ' ').trim();
  return cut(flat, MAX_FIELD);
}

function bounded(text: string): string {
  return cut(text, MAX_TEXT);
}

/** Cuts by code point, so an emoji is never split in half. */
function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  const chars = Array.from(text);
  return chars.length <= max
    ? text
    : `${chars
        .slice(0, max - 1)
        .join('')
        .trimEnd()}…`;
}
