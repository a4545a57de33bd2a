import { describe, expect, it } from 'vitest';
import { cachedAnnouncements } from '../../src/modules/announcements/cached';
import type { AnnouncementRepo } from '../../src/modules/announcements/repo';

function countingRepo(fail = false) {
  const calls = { n: 0 };
  const repo: AnnouncementRepo = {
    async published() {
      calls.n++;
      if (fail && calls.n === 1) throw new Error('connection lost');
      return [{ id: calls.n, title: '缴费通知', body: '请按时缴费', publishFrom: null }];
    },
  };
  return { repo, calls };
}

describe('系统公告 kept for a few seconds per instance', () => {
  it('asks the database once within the TTL, again after it and after a save', async () => {
    const { repo, calls } = countingRepo();
    const cache = cachedAnnouncements(repo, 50);
    await Promise.all([cache.published(new Date()), cache.published(new Date()), cache.published(new Date())]);
    expect(calls.n).toBe(1);
    cache.invalidate();
    expect((await cache.published(new Date()))[0]!.id).toBe(2);
    await new Promise((r) => setTimeout(r, 60));
    expect((await cache.published(new Date()))[0]!.id).toBe(3);
  });

  it('does not keep a failed read', async () => {
    const { repo, calls } = countingRepo(true);
    const cache = cachedAnnouncements(repo, 10_000);
    await expect(cache.published(new Date())).rejects.toThrow('connection lost');
    expect((await cache.published(new Date()))[0]!.id).toBe(2);
    expect(calls.n).toBe(2);
  });
});
