// SQL of the non-tax platform's availability: maintenance periods finance announces
// (nontax_maintenance) and the circuit breaker over consecutive failures (outbound_breakers).
// Every change is one conditional UPDATE, so instances racing each other change a row once.
import type { Knex } from 'knex';

export interface Maintenance {
  id: string;
  startsAt: Date;
  endsAt: Date;
  note: string;
  endedAt: Date | null;
  createdAt: Date;
}

export interface BreakerRow {
  failures: number;
  opened: number;
  openUntil: Date | null;
  lastError: string | null;
}

const cols = ['id', 'starts_at as startsAt', 'ends_at as endsAt', 'note', 'ended_at as endedAt', 'created_at as createdAt'];
const toMaintenance = (r: Record<string, unknown>): Maintenance => ({
  id: String(r.id), startsAt: new Date(r.startsAt as string), endsAt: new Date(r.endsAt as string), note: String(r.note ?? ''),
  endedAt: r.endedAt ? new Date(r.endedAt as string) : null, createdAt: new Date(r.createdAt as string),
});

export function nontaxStatusRepo(db: Knex) {
  return {
    /** The period in force at `now` (the one ending last when several overlap). */
    async current(now: Date): Promise<Maintenance | undefined> {
      const r = await db('nontax_maintenance').whereNull('ended_at').where('starts_at', '<=', now).where('ends_at', '>', now).orderBy('ends_at', 'desc').first(cols);
      return r ? toMaintenance(r) : undefined;
    },

    /** Periods not yet over, and the last few that are, newest first. */
    async recent(limit = 10): Promise<Maintenance[]> {
      return (await db('nontax_maintenance').orderBy('id', 'desc').limit(limit).select(cols)).map(toMaintenance);
    },

    async insert(trx: Knex, m: { startsAt: Date; endsAt: Date; note: string; createdBy: number | null }): Promise<string> {
      const [row] = await trx('nontax_maintenance').insert({ starts_at: m.startsAt, ends_at: m.endsAt, note: m.note, created_by: m.createdBy }).returning('id');
      return String(row.id);
    },

    /** Ends a period early: false when it had already ended (or does not exist). */
    async end(trx: Knex, id: string, now: Date): Promise<boolean> {
      return (await trx('nontax_maintenance').where({ id }).whereNull('ended_at').where('ends_at', '>', now).update({ ended_at: now })) > 0;
    },

    async breaker(name: string): Promise<BreakerRow | undefined> {
      const r = await db('outbound_breakers').where({ name }).first('failures', 'opened', 'open_until as openUntil', 'last_error as lastError');
      return r ? { failures: Number(r.failures), opened: Number(r.opened), openUntil: r.openUntil ? new Date(r.openUntil) : null, lastError: r.lastError } : undefined;
    },

    /**
     * Counts `count` more failures in a row (one pass's); once `threshold` are counted the breaker opens until
     * now + delay(times opened before), and counting starts again for the next probe.
     */
    async failure(name: string, now: Date, error: string, threshold: number, delayMs: (opened: number) => number, count = 1): Promise<BreakerRow> {
      return db.transaction(async (trx) => {
        await trx('outbound_breakers').insert({ name }).onConflict('name').ignore();
        const r = await trx('outbound_breakers').where({ name }).forUpdate().first('failures', 'opened', 'open_until');
        const failures = Number(r.failures) + count;
        // Once opened, open_until stays set until a success clears it: a failed probe (half-open)
        // opens it again at once with the next delay, not after `threshold` more failures.
        const opens = failures >= threshold || r.open_until !== null;
        const opened = Number(r.opened) + (opens ? 1 : 0);
        const openUntil = opens ? new Date(now.getTime() + delayMs(Number(r.opened))) : null;
        await trx('outbound_breakers').where({ name }).update({
          failures: opens ? 0 : failures, opened, last_error: error.slice(0, 500), updated_at: now, probe_until: null,
          ...(opens ? { open_until: openUntil } : {}),
        });
        return { failures: opens ? 0 : failures, opened, openUntil, lastError: error };
      });
    },

    /** A success closes the breaker; changes nothing when it was closed with no failures. */
    async success(name: string, now: Date): Promise<void> {
      await db('outbound_breakers').where({ name })
        .where((q) => q.where('failures', '>', 0).orWhereNotNull('open_until'))
        .update({ failures: 0, opened: 0, open_until: null, probe_until: null, last_error: null, updated_at: now });
    },

    /** The one probe after the breaker's time is up: true for the single caller that gets it. */
    async claimProbe(name: string, now: Date, leaseUntil: Date): Promise<boolean> {
      const n = await db('outbound_breakers').where({ name }).where('open_until', '<=', now)
        .where((q) => q.whereNull('probe_until').orWhere('probe_until', '<=', now))
        .update({ probe_until: leaseUntil });
      return n > 0;
    },
  };
}

export type NontaxStatusRepo = ReturnType<typeof nontaxStatusRepo>;
