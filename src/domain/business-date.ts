// Every business date (order number, 收费日期, statements) is a calendar day in Asia/Shanghai,
// whatever the server's own time zone.
export const BUSINESS_TZ = 'Asia/Shanghai';

const dateFmt = new Intl.DateTimeFormat('en-CA', {
  timeZone: BUSINESS_TZ,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});
const timeFmt = new Intl.DateTimeFormat('en-GB', {
  timeZone: BUSINESS_TZ,
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

/** 2020-02-16 */
export function businessDate(at: Date = new Date()): string {
  return dateFmt.format(at);
}

/** 20:59:24 */
export function businessTime(at: Date): string {
  return timeFmt.format(at);
}

/** 2020-02-16 20:59:24 */
export function businessDateTime(at: Date): string {
  return `${businessDate(at)} ${businessTime(at)}`;
}

/** 200216: the date part of an order number. */
export function orderDatePart(at: Date = new Date()): string {
  return businessDate(at).replace(/-/g, '').slice(2);
}

/** 20200120: the compact date of result pages and receipts (图15, 图26). */
export function compactDate(day: string): string {
  return day.replace(/-/g, '');
}

/** Start of a Shanghai calendar day as an instant, for range filters. */
export function startOfBusinessDay(day: string): Date {
  return new Date(`${day}T00:00:00+08:00`);
}

/**
 * "2026-12-02 23:50" or "2026-12-02T23:50" (Shanghai) as an instant, or null when it is not a real
 * minute: 2026-13-01 or 2026-02-30 or 24:10 would otherwise become an Invalid Date or another day.
 */
export function businessMinute(s: string): Date | null {
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2})$/.exec(s.trim());
  if (!m) return null;
  const at = new Date(`${m[1]}T${m[2]}:00+08:00`);
  return !Number.isNaN(at.getTime()) && businessDateTime(at) === `${m[1]} ${m[2]}:00` ? at : null;
}
