// The night's quiet window of reminders (REMINDER_QUIET_HOURS, e.g. 22:00-08:00, Shanghai time):
// a reminder due inside it waits until it ends; it is never dropped. A window may wrap midnight.
import { businessDate } from './business-date';

export interface QuietWindow {
  /** Minutes after midnight, Shanghai. start === end means no window. */
  startMinute: number;
  endMinute: number;
}

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** "22:00-08:00" → the window, or null when it is not two HH:MM times. */
export function parseQuietWindow(s: string): QuietWindow | null {
  const [a, b, ...rest] = s.trim().split('-');
  if (rest.length || !a || !b) return null;
  const ma = HHMM.exec(a.trim());
  const mb = HHMM.exec(b.trim());
  if (!ma || !mb) return null;
  return { startMinute: Number(ma[1]) * 60 + Number(ma[2]), endMinute: Number(mb[1]) * 60 + Number(mb[2]) };
}

/** Minutes since Shanghai midnight (UTC+8 all year: no daylight saving). */
function minuteOfDay(at: Date): number {
  const shifted = new Date(at.getTime() + 8 * 3600_000);
  return shifted.getUTCHours() * 60 + shifted.getUTCMinutes();
}

export function inQuietWindow(w: QuietWindow, at: Date): boolean {
  const m = minuteOfDay(at);
  if (w.startMinute === w.endMinute) return false;
  return w.startMinute < w.endMinute ? m >= w.startMinute && m < w.endMinute : m >= w.startMinute || m < w.endMinute;
}

/** `at` itself when outside the window, else the instant the window ends. */
export function afterQuietWindow(w: QuietWindow, at: Date): Date {
  if (!inQuietWindow(w, at)) return at;
  const day = businessDate(at);
  const end = new Date(`${day}T${String(Math.floor(w.endMinute / 60)).padStart(2, '0')}:${String(w.endMinute % 60).padStart(2, '0')}:00+08:00`);
  // Before midnight in a wrapping window, the end is tomorrow morning.
  return end.getTime() > at.getTime() ? end : new Date(end.getTime() + 24 * 3600_000);
}
