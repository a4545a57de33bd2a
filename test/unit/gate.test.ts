// The bounded gate in front of bcrypt and the request handlers: places, a bounded queue in arrival
// order, refusals at once past it, and reservations that are refused up front or never.
import { describe, expect, it } from 'vitest';
import { BusyError, Gate } from '../../src/domain/gate';

/** A run that ends when the test says so. */
function held() {
  let finish!: () => void;
  const done = new Promise<void>((r) => (finish = r));
  return { fn: () => done, finish };
}

describe('Gate', () => {
  it('runs `concurrent` at once, queues `waiting` in order, refuses the rest at once with BusyError', async () => {
    const g = new Gate('t', 2, 2, 9);
    const runs = [held(), held(), held(), held()];
    const order: number[] = [];
    const p = runs.map((r, i) => g.run(async () => { order.push(i); await r.fn(); }));
    await Promise.resolve();
    expect(g.stats()).toMatchObject({ active: 2, waiting: 2 });
    const refused = await g.run(async () => 'never').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(BusyError);
    expect(refused).toMatchObject({ code: 'unavailable', retryAfterSeconds: 9, gate: 't' });
    runs[0]!.finish();
    runs[1]!.finish();
    await p[0];
    await p[1];
    runs[2]!.finish();
    runs[3]!.finish();
    await Promise.all(p);
    expect(order).toEqual([0, 1, 2, 3]);
    expect(g.stats()).toMatchObject({ active: 0, waiting: 0, started: 4, refused: 1, maxActive: 2, maxWaiting: 2 });
  });

  it('a reservation holds its place: refused up front when full, never after', async () => {
    const g = new Gate('t', 1, 1, 1);
    const a = g.reserve()!;
    const b = g.reserve()!;
    expect(g.reserve()).toBeNull();
    // An unreserved run finds the queue held by the reservations.
    await expect(g.run(async () => 1)).rejects.toBeInstanceOf(BusyError);
    const first = held();
    const pa = a.run(first.fn);
    const pb = b.run(async () => 'b');
    first.finish();
    await pa;
    expect(await pb).toBe('b');
    const c = g.reserve()!;
    c.cancel();
    c.cancel();
    expect(g.stats()).toMatchObject({ active: 0, waiting: 0, refused: 2 });
  });

  it('tryEnter takes a place without waiting and gives it back once', () => {
    const g = new Gate('t', 1, 0, 1);
    const release = g.tryEnter()!;
    expect(g.tryEnter()).toBeNull();
    release();
    release();
    expect(g.tryEnter()).not.toBeNull();
    expect(g.stats()).toMatchObject({ active: 1, refused: 1 });
  });
});
