// The non-tax platform's daily no-payment window (NONTAX_MAINTENANCE_WINDOW, e.g. 23:50-00:00),
// in business time (Asia/Shanghai, UTC+8 all year): whether an instant falls in it, and when it
// ends. A window may run past midnight (23:50-00:30); an end of 00:00 means midnight.
export interface DailyWindow {
  /** Minutes after midnight, business time. */
  start: number;
  end: number;
}

const SHANGHAI_OFFSET_MIN = 8 * 60;
const DAY_MIN = 24 * 60;
const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

const minutesOf = (s: string): number | null => {
  const m = HHMM.exec(s.trim());
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
};

/** "23:50-00:00" → the window; '' or 'off' → null (no window); anything else → undefined (invalid). */
export function parseDailyWindow(text: string): DailyWindow | null | undefined {
  const t = text.trim();
  if (t === '' || t === 'off') return null;
  const [a, b, ...rest] = t.split('-');
  if (a === undefined || b === undefined || rest.length) return undefined;
  const start = minutesOf(a);
  const end = minutesOf(b);
  if (start === null || end === null || start === end) return undefined;
  return { start, end };
}

/** When the window that `at` falls in ends, or null when `at` is outside it. */
export function windowEndAt(w: DailyWindow, at: Date): Date | null {
  const ms = at.getTime();
  const localMin = Math.floor(ms / 60_000) + SHANGHAI_OFFSET_MIN;
  const minuteOfDay = ((localMin % DAY_MIN) + DAY_MIN) % DAY_MIN;
  const length = (w.end - w.start + DAY_MIN) % DAY_MIN;
  const into = (minuteOfDay - w.start + DAY_MIN) % DAY_MIN;
  if (into >= length) return null;
  const startOfMinute = Math.floor(ms / 60_000) * 60_000;
  return new Date(startOfMinute + (length - into) * 60_000);
}

/** 23:50-00:00 as written in the configuration. */
export function formatDailyWindow(w: DailyWindow): string {
  const f = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
  return `${f(w.start)}-${f(w.end)}`;
}
