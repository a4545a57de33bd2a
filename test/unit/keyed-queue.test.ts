import { describe, expect, it } from 'vitest';
import { keyedQueue } from '../../src/domain/keyed-queue';

const tick = () => new Promise((r) => setImmediate(r));

describe('keyedQueue', () => {
  it('runs the tasks of one key one at a time, in arrival order', async () => {
    const run = keyedQueue();
    let inside = 0;
    let most = 0;
    const order: number[] = [];
    await Promise.all(Array.from({ length: 10 }, (_, i) => run('p1', async () => {
      inside += 1;
      most = Math.max(most, inside);
      await tick();
      order.push(i);
      inside -= 1;
    })));
    expect(most).toBe(1);
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('lets different keys run side by side', async () => {
    const run = keyedQueue();
    let inside = 0;
    let most = 0;
    await Promise.all(['a', 'b', 'c'].map((k) => run(k, async () => {
      inside += 1;
      most = Math.max(most, inside);
      await tick();
      inside -= 1;
    })));
    expect(most).toBe(3);
  });

  it('goes on after a task that throws, and passes the error to its caller', async () => {
    const run = keyedQueue();
    const failed = run(1, async () => { throw new Error('boom'); });
    const next = run(1, async () => 'after');
    await expect(failed).rejects.toThrow('boom');
    await expect(next).resolves.toBe('after');
  });
});
