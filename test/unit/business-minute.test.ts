import { describe, expect, it } from 'vitest';
import { businessMinute } from '../../src/domain/business-date';

describe('businessMinute: a Shanghai minute typed by finance', () => {
  it('reads 年-月-日 时:分 with a space or a T as that minute in UTC+8', () => {
    expect(businessMinute('2026-12-02 23:50')?.toISOString()).toBe('2026-12-02T15:50:00.000Z');
    expect(businessMinute('2026-12-03T00:00')?.toISOString()).toBe('2026-12-02T16:00:00.000Z');
  });
  it('refuses what is not a real minute instead of making an Invalid Date or another day', () => {
    for (const s of ['2026-13-01 10:00', '2026-02-30 10:00', '2026-12-02 24:10', '2026-12-02 99:99', '2026-12-02', '明天 10:00']) expect(businessMinute(s), s).toBeNull();
  });
});
