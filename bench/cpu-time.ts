// CPU time spent in a window, by whom: this process's main thread (the one that answers every
// request), the whole process (workers too) and the PostgreSQL backends of the bench's database.
// Unlike latency, CPU time barely moves with the machine's other load, so it says what the work
// under test costs the request thread even on a busy machine. Linux only (/proc); elsewhere the
// thread and backend figures are NaN.
import { readFileSync } from 'node:fs';
import type { Knex } from 'knex';

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** utime + stime of /proc/<path>/stat, in ms. The name field may hold spaces: split after its ')'. */
function ticksOf(statPath: string): number {
  try {
    const stat = readFileSync(statPath, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * TICK_MS;
  } catch {
    return NaN;
  }
}

export interface CpuSnapshot {
  at: number;
  mainMs: number;
  processMs: number;
  /** Each backend's CPU ms when last read (one that has exited keeps its last reading). */
  backends: Map<number, number>;
}

export interface CpuSpent {
  seconds: number;
  /** ms of CPU per second of the window. */
  mainPerS: number;
  processPerS: number;
  postgresPerS: number;
}

/**
 * Follows the CPU time of this process and of its database's backends while the bench runs:
 * backends are found once a second (pg_stat_activity) and read every 250 ms, so one that ends
 * (a connection closed when its work is done) is counted up to its last reading.
 */
export function cpuMeter(knex: Knex) {
  const backends = new Map<number, number>();
  const read = () => {
    for (const pid of backends.keys()) {
      const ms = ticksOf(`/proc/${pid}/stat`);
      if (!Number.isNaN(ms)) backends.set(pid, ms);
    }
  };
  const discover = async () => {
    const { rows } = await knex.raw('SELECT pid FROM pg_stat_activity WHERE datname = current_database()');
    for (const { pid } of rows as { pid: number }[]) if (!backends.has(pid)) backends.set(pid, ticksOf(`/proc/${pid}/stat`));
  };
  let n = 0;
  const timer = setInterval(() => {
    read();
    if (++n % 4 === 0) void discover().catch(() => undefined);
  }, 250);
  timer.unref();
  return {
    async snapshot(): Promise<CpuSnapshot> {
      await discover();
      read();
      const u = process.cpuUsage();
      return { at: performance.now(), mainMs: ticksOf(`/proc/self/task/${process.pid}/stat`), processMs: (u.user + u.system) / 1000, backends: new Map(backends) };
    },
    stop: () => clearInterval(timer),
  };
}

/** What was spent between two snapshots; a backend first seen after `a` counts from zero. */
export function cpuSpent(a: CpuSnapshot, b: CpuSnapshot): CpuSpent {
  const seconds = (b.at - a.at) / 1000;
  let pg = 0;
  for (const [pid, ms] of b.backends) pg += ms - (a.backends.get(pid) ?? 0);
  return { seconds, mainPerS: (b.mainMs - a.mainMs) / seconds, processPerS: (b.processMs - a.processMs) / seconds, postgresPerS: pg / seconds };
}
