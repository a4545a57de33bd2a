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

/** How long close() lets a connection say goodbye before cutting it (a half-open link never answers). */
const END_WAIT_MS = 1_000;

/** Ends a client, cutting its socket when the server does not answer the goodbye in time. */
async function endWithin(client: pg.Client, ms: number): Promise<void> {
  try {
    await within(client.end(), ms);
  } catch {
    (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
  }
}

/**
 * Checks that come while one is being answered share its answer (and its deadline): one
 * statement at a time on the one connection, and a storm of checks costs one `select 1` per
 * round trip.
 */
function sharingInFlight(ping: (timeoutMs: number) => Promise<void>): (timeoutMs: number) => Promise<void> {
  let asking: Promise<void> | undefined;
  return (timeoutMs) => (asking ??= ping(timeoutMs).finally(() => (asking = undefined)));
}

export function ownConnectionPinger(databaseUrl: string): Pinger {
  let current: Promise<pg.Client> | undefined;
  let closed = false;
  /** Every client not yet ended, the dropped ones too: close() waits for all of them. */
  const clients = new Set<pg.Client>();
  // A connection that failed, timed out or was cut (a server restart) is let go; the next ping
  // opens another, so /healthz says 200 again as soon as the server is back.
  const drop = (c: Promise<pg.Client>) => {
    if (current === c) current = undefined;
    c.then((x) => endWithin(x, END_WAIT_MS)).catch(() => undefined);
  };
  const open = (timeoutMs: number) => {
    // keepAlive after 10 s idle: a connection cut by something between here and the server is
    // found out by the kernel between checks (the OS default waits two hours).
    const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: timeoutMs, keepAlive: true, keepAliveInitialDelayMillis: 10_000, application_name: 'healthz' });
    clients.add(client);
    client.once('end', () => clients.delete(client));
    const c = client.connect().then(() => client);
    client.on('error', () => drop(c));
    c.catch(() => {
      clients.delete(client);
      drop(c);
    });
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
  // node-postgres deprecates queueing statements on one client: checks share the one in flight.
  const ping = sharingInFlight(askOnce);
  return {
    ping: (timeoutMs) => (closed ? Promise.reject(new Error('database closed')) : ping(timeoutMs)),
    async close() {
      closed = true;
      current = undefined;
      await Promise.all([...clients].map((x) => endWithin(x, END_WAIT_MS)));
    },
  };
}

/**
 * The embedded engine has one connection, the pool's, and its ping must wait there behind page
 * statements (one process, one connection: there is no other to take). Checks still share the
 * one in flight, so a storm of them queues one `select 1`, not one each.
 */
export function poolPinger(query: () => Promise<unknown>): Pinger {
  return {
    ping: sharingInFlight(async (timeoutMs) => void (await within(query(), timeoutMs))),
    close: async () => undefined,
  };
}
