// The daily maintenance window (NONTAX_MAINTENANCE_WINDOW) in business time, across midnight, and
// the notice students read while the non-tax platform is out.
import { describe, expect, it } from 'vitest';
import { formatDailyWindow, parseDailyWindow, windowEndAt } from '../../src/domain/maintenance-window';
import { outageNotice } from '../../src/modules/nontax-status/service';

const sh = (s: string) => new Date(`${s}+08:00`);

describe('the daily maintenance window', () => {
  it('parses HH:MM-HH:MM, off and empty, and refuses anything else', () => {
    expect(parseDailyWindow('23:50-00:00')).toEqual({ start: 23 * 60 + 50, end: 0 });
    expect(parseDailyWindow('')).toBeNull();
    expect(parseDailyWindow('off')).toBeNull();
    for (const bad of ['23:50', '24:00-01:00', '23:50-23:50', '9:00-10:00', '23:50-00:00-01:00', 'abc']) expect(parseDailyWindow(bad)).toBeUndefined();
    expect(formatDailyWindow(parseDailyWindow('23:50-00:30')!)).toBe('23:50-00:30');
  });

  it('says when the window an instant falls in ends, across midnight too', () => {
    const w = parseDailyWindow('23:50-00:00')!;
    expect(windowEndAt(w, sh('2026-09-01T23:49:59'))).toBeNull();
    expect(windowEndAt(w, sh('2026-09-01T23:50:00'))).toEqual(sh('2026-09-02T00:00:00'));
    expect(windowEndAt(w, sh('2026-09-01T23:59:30'))).toEqual(sh('2026-09-02T00:00:00'));
    expect(windowEndAt(w, sh('2026-09-02T00:00:00'))).toBeNull();
    const late = parseDailyWindow('23:30-01:15')!;
    expect(windowEndAt(late, sh('2026-09-02T00:40:00'))).toEqual(sh('2026-09-02T01:15:00'));
    expect(windowEndAt(late, sh('2026-09-02T01:15:00'))).toBeNull();
    const day = parseDailyWindow('12:00-12:30')!;
    expect(windowEndAt(day, sh('2026-09-02T12:10:00'))).toEqual(sh('2026-09-02T12:30:00'));
    expect(windowEndAt(day, sh('2026-09-02T11:59:00'))).toBeNull();
  });

  it('tells students the expected time, with the date when it is not today', () => {
    const now = sh('2026-09-01T23:55:00');
    expect(outageNotice({ source: 'window', until: sh('2026-09-02T00:00:00'), note: '' }, now)).toBe('非税平台维护中，预计 09月02日 00:00 恢复。财政项目暂不能缴费，代收项目可正常缴费。');
    expect(outageNotice({ source: 'maintenance', until: sh('2026-09-01T23:58:00'), note: '' }, now)).toContain('预计 23:58 恢复');
  });
});
