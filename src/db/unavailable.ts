// Whether an error means "the database cannot be reached right now" (restarting, down, or every
// connection busy) rather than a fault of the request or of our code. Such a request is answered
// 503 with Retry-After instead of 500, and a channel's notification is answered with the
// channel's failure so that it is sent again; neither is logged as a bug.
/**
 * PostgreSQL SQLSTATEs of an unreachable server: class 08 (connection exception), 57P01
 * admin_shutdown (pg_ctl stop -m fast), 57P02 crash_shutdown (-m immediate, or a backend crashed),
 * 57P03 cannot_connect_now (starting up or shutting down), 53300 too_many_connections.
 */
const SQLSTATES = /^(08...|57P0[123]|53300)$/;
/** Socket errors of node-postgres connecting or talking to the server. */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
/**
 * node-postgres's own messages for a connection that died under it (they carry no code); knex
 * puts the query in front of them ("select … - Connection terminated unexpectedly").
 */
const PG_MESSAGES = /(^|- )(Connection terminated|Client has encountered a connection error|Client was closed and is not queryable)/;

export function isDatabaseUnavailable(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const x = err as { code?: unknown; errors?: unknown };
  // A socket error only as node-postgres throws it, itself: the same code as the cause of a
  // failed fetch is a channel that did not answer, not the database.
  if (typeof x.code === 'string' && SOCKET_CODES.has(x.code)) return true;
  // Node's connect to several addresses (localhost: ::1 and 127.0.0.1) fails with an AggregateError.
  if (Array.isArray(x.errors) && x.errors.some((i) => isDatabaseUnavailable(i))) return true;
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const y = e as { code?: unknown; name?: unknown; message?: unknown };
    if (typeof y.code === 'string' && SQLSTATES.test(y.code)) return true;
    // knex: no connection came free from the pool within acquireConnectionTimeout.
    if (y.name === 'KnexTimeoutError') return true;
    if (typeof y.message === 'string' && PG_MESSAGES.test(y.message)) return true;
  }
  return false;
}
