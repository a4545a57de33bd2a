// /healthz's own connection to the PostgreSQL server, outside knex's pool. Through the pool, a
// health check waited behind every page query queued for a connection: 20 parallel PDF downloads
// (three statements each on a pool of 10) made /healthz 3-5x slower than the same server's DB-free
// route (bench/offload.ts), so a load balancer would have read "busy" as "dying" and moved the
// load to the next instance. What /healthz asks is whether this instance reaches its database;
// the pool being full is load, which the page gate (src/http/load-shed.ts) answers. And a probe
// storm can then never take a connection from a payer at all.
import pg from 'pg';

export interface Pinger {
  /** Resolves when the server answered `select 1` within `timeoutMs`; rejects otherwise. */
  ping(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

async function within<T>(work: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('database ping timed out')), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export function ownConnectionPinger(databaseUrl: string): Pinger {
  let current: Promise<pg.Client> | undefined;
  let closed = false;
  // A connection that failed, timed out or was cut (a server restart) is let go; the next ping
  // opens another, so /healthz says 200 again as soon as the server is back.
  const drop = (c: Promise<pg.Client>) => {
    if (current === c) current = undefined;
    c.then((x) => x.end()).catch(() => undefined);
  };
  const open = (timeoutMs: number) => {
    // keepAlive: an idle connection cut by something between here and the server is found out by
    // the kernel, not by a ping that waits its whole timeout.
    const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: timeoutMs, keepAlive: true, application_name: 'healthz' });
    const c = client.connect().then(() => client);
    client.on('error', () => drop(c));
    c.catch(() => drop(c));
    return c;
  };
  const askOnce = async (timeoutMs: number) => {
    const c = (current ??= open(timeoutMs));
    try {
      await within(c.then((x) => x.query('select 1')), timeoutMs);
    } catch (e) {
      // A ping that hangs would hold every later one behind it on this connection.
      drop(c);
      throw e;
    }
  };
  // Checks that come while one is being answered share its answer: one statement at a time on
  // the one connection (node-postgres deprecates queueing on a client), and a storm of checks
  // costs the server one `select 1` per round trip.
  let asking: Promise<void> | undefined;
  return {
    ping(timeoutMs) {
      if (closed) return Promise.reject(new Error('database closed'));
      return (asking ??= askOnce(timeoutMs).finally(() => (asking = undefined)));
    },
    async close() {
      closed = true;
      const c = current;
      current = undefined;
      if (c) await c.then((x) => x.end(), () => undefined).catch(() => undefined);
    },
  };
}

/** The embedded engine has one connection, the pool's: its ping goes there. */
export function poolPinger(query: () => Promise<unknown>): Pinger {
  return {
    ping: async (timeoutMs) => void (await within(query(), timeoutMs)),
    close: async () => undefined,
  };
}
