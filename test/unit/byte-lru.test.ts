import { describe, expect, it } from 'vitest';
import { ByteLru } from '../../src/domain/byte-lru';

const b = (n: number, fill = 1) => Buffer.alloc(n, fill);

describe('ByteLru', () => {
  it('keeps values up to its byte bound and drops the least recently used first', () => {
    const c = new ByteLru(10);
    c.set('a', b(4, 1));
    c.set('b', b(4, 2));
    expect(c.get('a')?.[0]).toBe(1); // a is now the most recent
    c.set('c', b(4, 3)); // 12 bytes: b goes
    expect(c.get('b')).toBeUndefined();
    expect(c.get('a')?.[0]).toBe(1);
    expect(c.get('c')?.[0]).toBe(3);
    expect(c.size).toEqual({ entries: 2, bytes: 8 });
  });

  it('replaces a key without counting it twice, and never keeps a value larger than itself', () => {
    const c = new ByteLru(10);
    c.set('a', b(6));
    c.set('a', b(3));
    expect(c.size).toEqual({ entries: 1, bytes: 3 });
    c.set('huge', b(11));
    expect(c.get('huge')).toBeUndefined();
    expect(c.size).toEqual({ entries: 1, bytes: 3 });
  });
});
