// Whether the non-tax platform can be used now, learnt three ways: the configured daily window
// (NONTAX_MAINTENANCE_WINDOW), a maintenance period finance set (console or command line) with
// its expected end, or consecutive failures of our requests to it, e-bill requests and 确定缴费's
// bill.push alike (a circuit breaker that lets one probe through when its time is up). While it is out, 财政 payments show 非税平台维护中 with the
// expected time and build nothing, and e-bill requests wait in receipts, unclaimed and untried,
// until it is back. 代收 payments go on: they never touch it.
import type { Knex } from 'knex';
import { AppError } from '../../domain/app-error';
import { businessDate, businessTime } from '../../domain/business-date';
import { windowEndAt, type DailyWindow } from '../../domain/maintenance-window';
import type { AuditRepo } from '../audit/repo';
import { nontaxStatusRepo } from './repo';

export const BREAKER = 'nontax';
/** Failures in a row before the platform counts as down. */
export const BREAKER_THRESHOLD = 5;
/** 30 s, 1 min, 2 … capped at 10 min between probes. */
export const breakerDelayMs = (opened: number) => Math.min(30_000 * 2 ** opened, 10 * 60_000);
const PROBE_LEASE_MS = 60_000;
const CACHE_MS = 1_000;

export interface NontaxOutage {
  source: 'window' | 'maintenance' | 'breaker';
  /** The expected end (the breaker's: its next probe). */
  until: Date;
  note: string;
}

/** What outbound work may do now: all of it, one probe request, or nothing. */
export type Gate = 'open' | 'probe' | 'closed';

export interface NontaxStatusDeps {
  db: Knex;
  audit: AuditRepo;
  window: DailyWindow | null;
}

/** 非税平台维护中，预计 HH:MM 恢复 (with the date when it is not today). */
export function outageNotice(o: NontaxOutage, now = new Date()): string {
  const hm = businessTime(o.until).slice(0, 5);
  const day = businessDate(o.until);
  const when = day === businessDate(now) ? hm : `${day.slice(5, 7)}月${day.slice(8, 10)}日 ${hm}`;
  return `非税平台维护中，预计 ${when} 恢复。财政项目暂不能缴费，代收项目可正常缴费。`;
}

export function nontaxStatusService(deps: NontaxStatusDeps) {
  const repo = nontaxStatusRepo(deps.db);
  // The read itself is what is kept, from the moment it is asked: pages that arrive while it is
  // under way wait for it rather than each asking again (under load every 学费缴费 did).
  let cached: { at: number; value: Promise<NontaxOutage | null> } | null = null;

  async function outage(now = new Date()): Promise<NontaxOutage | null> {
    const end = deps.window ? windowEndAt(deps.window, now) : null;
    if (end) return { source: 'window', until: end, note: '' };
    const m = await repo.current(now);
    if (m) return { source: 'maintenance', until: m.endsAt, note: m.note };
    const b = await repo.breaker(BREAKER);
    if (b?.openUntil && b.openUntil > now) return { source: 'breaker', until: b.openUntil, note: b.lastError ?? '' };
    return null;
  }

  return {
    outage,
    /** The same, read at most once a second per instance: every 应交款明细表 asks. */
    async cachedOutage(now = new Date()): Promise<NontaxOutage | null> {
      if (cached && now.getTime() - cached.at < CACHE_MS && now.getTime() >= cached.at) return cached.value;
      const read = { at: now.getTime(), value: outage(now) };
      cached = read;
      // A failed read is not kept: the next page asks again.
      read.value.catch(() => {
        if (cached === read) cached = null;
      });
      return read.value;
    },
    /** The notice for students, or null when 财政 payments are open. */
    async fiscalNotice(now = new Date()): Promise<string | null> {
      const o = await this.cachedOutage(now);
      return o ? outageNotice(o, now) : null;
    },
    /** For an outbound worker about to call the platform. */
    async gate(now = new Date()): Promise<Gate> {
      if (await outage(now)) return 'closed';
      const b = await repo.breaker(BREAKER);
      if (!b?.openUntil) return 'open';
      return (await repo.claimProbe(BREAKER, now, new Date(now.getTime() + PROBE_LEASE_MS))) ? 'probe' : 'closed';
    },
    async success(now = new Date()) {
      await repo.success(BREAKER, now);
      cached = null;
    },
    /** `count` requests failed in a row (a pass's worth). */
    async failure(error: string, now = new Date(), count = 1) {
      await repo.failure(BREAKER, now, error, BREAKER_THRESHOLD, breakerDelayMs, count);
      cached = null;
    },
    breaker: () => repo.breaker(BREAKER),
    recent: () => repo.recent(),
    /** 非税平台维护: finance announces a period (from now unless told) with its expected end. */
    async announce(actor: { accountId: number | null; ip?: string }, m: { startsAt: Date; endsAt: Date; note: string }) {
      if (m.endsAt <= m.startsAt) throw new AppError('invalid', '预计恢复时间须晚于开始时间', 'ends_at');
      const id = await deps.db.transaction(async (trx) => {
        const id = await repo.insert(trx, { ...m, createdBy: actor.accountId });
        await deps.audit.record({ actorAccountId: actor.accountId, action: 'nontax.maintenance', detail: { id, startsAt: m.startsAt.toISOString(), endsAt: m.endsAt.toISOString() }, ...(actor.ip ? { ip: actor.ip } : {}) }, trx);
        return id;
      });
      cached = null;
      return id;
    },
    /** Ends a period early (the platform came back sooner): false when it was already over. */
    async end(actor: { accountId: number | null; ip?: string }, id: string, now = new Date()) {
      const ended = await deps.db.transaction(async (trx) => {
        const ok = await repo.end(trx, id, now);
        if (ok) await deps.audit.record({ actorAccountId: actor.accountId, action: 'nontax.maintenance_end', detail: { id }, ...(actor.ip ? { ip: actor.ip } : {}) }, trx);
        return ok;
      });
      cached = null;
      return ended;
    },
  };
}

export type NontaxStatusService = ReturnType<typeof nontaxStatusService>;
