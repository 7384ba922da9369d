import i18next from 'i18next';
import { navigate, paths } from '../router.js';
import type { AlertSettings } from './team-stores.js';

/**
 * Tells the worker that a case of theirs received a message: a desktop notification (if they
 * turned them on and the browser allows them) and a chime (if they chose one). It names the
 * case only — never the message's text or the contact's number (DESIGN.md §9: a notification
 * shows on a locked screen and over a shared desk).
 */
export function alertNewMessage(caseNumber: number, settings: AlertSettings): void {
  notifyAboutCase(caseNumber, i18next.t('cases:notify.newMessage', { caseNumber: String(caseNumber) }), settings);
}

/**
 * A notification and chime about a case, as for a new message, unless the worker is looking at
 * that case already. `body` names the case only, for the same reason.
 */
export function notifyAboutCase(caseNumber: number, body: string, settings: AlertSettings): void {
  const looking = document.visibilityState === 'visible' && window.location.hash === paths.case(caseNumber);
  if (looking) return;
  if (settings.desktop && desktopPermission() === 'granted') {
    try {
      const notification = new Notification('Caseline', { body, tag: `caseline-case-${caseNumber}` });
      notification.onclick = () => {
        window.focus();
        navigate(paths.case(caseNumber));
        notification.close();
      };
    } catch {
      // Some browsers allow notifications only from a service worker; the title count remains.
    }
  }
  if (settings.sound) playChime();
}

export type DesktopPermission = NotificationPermission | 'unsupported';

export function desktopPermission(): DesktopPermission {
  return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
}

/** Asks the browser for permission: call it only from a click, never on load. */
export async function askDesktopPermission(): Promise<DesktopPermission> {
  if (typeof Notification === 'undefined') return 'unsupported';
  return Notification.requestPermission();
}

let audio: AudioContext | null = null;

/** Makes the chime playable: browsers start sound only after a click, so call it from one. */
export function unlockChime(): void {
  try {
    audio ??= new AudioContext();
    void audio.resume();
  } catch {
    audio = null;
  }
}

/** Two soft tones, made here: no sound file to fetch. */
export function playChime(): void {
  try {
    audio ??= new AudioContext();
    const start = audio.currentTime;
    for (const [offset, frequency] of [
      [0, 880],
      [0.16, 1175],
    ] as const) {
      const tone = audio.createOscillator();
      const gain = audio.createGain();
      tone.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, start + offset);
      gain.gain.exponentialRampToValueAtTime(0.2, start + offset + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.25);
      tone.connect(gain).connect(audio.destination);
      tone.start(start + offset);
      tone.stop(start + offset + 0.3);
    }
  } catch {
    // No audio here: the title count and any desktop notification remain.
  }
}
