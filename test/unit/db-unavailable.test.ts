// Which errors mean "the database cannot be reached right now" (answered 503, the channel told to
// send again) and which are anything else (a 500 and a logged fault).
import { describe, expect, it } from 'vitest';
import { isDatabaseUnavailable } from '../../src/db/unavailable';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('isDatabaseUnavailable', () => {
  it('knows the server going away, refusing, starting up, and the pool running dry', () => {
    for (const e of [
      withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'),
      withCode('terminating connection due to administrator command', '57P01'),
      withCode('terminating connection because of crash of another server process', '57P02'),
      withCode('the database system is starting up', '57P03'),
      withCode('sorry, too many clients already', '53300'),
      withCode('connection failure', '08006'),
      // knex puts the query in front of node-postgres' message, which carries no code.
      new Error('select "sess" from "sessions" where "sid" = $1 - Connection terminated unexpectedly'),
      new Error('Connection terminated unexpectedly'),
      new Error('ROLLBACK - Client has encountered a connection error and is not queryable'),
      Object.assign(new Error('Knex: Timeout acquiring a connection. The pool is probably full.'), { name: 'KnexTimeoutError' }),
      new AggregateError([withCode('connect ECONNREFUSED ::1:5432', 'ECONNREFUSED'), withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')]),
    ]) expect(isDatabaseUnavailable(e), e.message).toBe(true);
  });

  it('is not fooled by a channel that did not answer, a constraint, or our own bug', () => {
    // fetch's failure names the socket error only in its cause: a channel, not the database.
    const fetchFailed = Object.assign(new TypeError('fetch failed'), { cause: withCode('connect ECONNREFUSED 127.0.0.1:3100', 'ECONNREFUSED') });
    for (const e of [
      fetchFailed,
      withCode('duplicate key value violates unique constraint "x"', '23505'),
      withCode('canceling statement due to statement timeout', '57014'),
      new TypeError("Cannot read properties of undefined (reading 'id')"),
      new Error('order XF1 moved while locked'),
    ]) expect(isDatabaseUnavailable(e), e.message).toBe(false);
    for (const v of [null, undefined, 'Connection terminated', 42]) expect(isDatabaseUnavailable(v)).toBe(false);
  });
});
