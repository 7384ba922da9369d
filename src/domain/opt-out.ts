/** Opt-out and opt-in keywords (DESIGN.md §2 rule 11): the whole text, any case. */
const OPT_OUT = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT']);
const OPT_IN = new Set(['START', 'YES', 'UNSTOP']);

export type ConsentChange = 'opt-out' | 'opt-in' | null;

export function consentChange(text: string): ConsentChange {
  const word = text.trim().toUpperCase();
  if (OPT_OUT.has(word)) return 'opt-out';
  if (OPT_IN.has(word)) return 'opt-in';
  return null;
}
