// One task at a time per key, in arrival order, within this process. Used where each waiter would
// otherwise hold a database connection while it waits (a transaction blocked on an advisory lock):
// fifty parallel 下一步 of one student would take the whole pool and stall every other student.
// Across instances the database lock still decides; this only keeps each instance to one waiter.
export type KeyedQueue = <T>(key: string | number, task: () => Promise<T>) => Promise<T>;

export function keyedQueue(): KeyedQueue {
  const tails = new Map<string | number, Promise<void>>();
  return async (key, task) => {
    const before = tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = before.then(() => mine);
    tails.set(key, tail);
    try {
      await before;
      return await task();
    } finally {
      release();
      // The last one out leaves no entry behind: the map stays as small as the set of busy keys.
      if (tails.get(key) === tail) tails.delete(key);
    }
  };
}
