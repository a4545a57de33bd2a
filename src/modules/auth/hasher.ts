// Every bcrypt hash and compare of the platform (sign-in, 密码修改, 密保, 找回密码) goes through one
// bounded gate. bcrypt runs on libuv's thread pool (UV_THREADPOOL_SIZE threads, which file reads
// and DNS share); unbounded, a rush of sign-ins queues there without limit, each waiting request
// holding its memory and its socket, and every answer gets slower together. Here a few hashes run
// at once, a few more wait their turn, and the rest are refused at once with BusyError (503 and
// Retry-After) before any hashing was spent on them.
import bcrypt from 'bcrypt';
import { BusyError, Gate, type GateStats } from '../../domain/gate';
import { watchGate } from '../../metrics/registry';

export interface HasherOptions {
  /** Hashes at once: below the thread pool's size, so file and DNS work keep a thread. */
  concurrent: number;
  /** Hashes waiting for a turn; past it a request is refused. */
  waiting: number;
  retryAfterSeconds: number;
}

export interface PasswordHasher {
  compare(plain: string, hash: string): Promise<boolean>;
  hash(plain: string, cost: number): Promise<string>;
  /** Whether a hash asked for now would be taken: lets a sign-in refuse before its database work. */
  hasRoom(): boolean;
  /**
   * A place for one hash to come, held while the caller does its database work first: its first
   * compare or hash takes it, release gives it back unused. Throws BusyError when the queue is full.
   */
  reserve(): PasswordHasher & { release(): void };
  /** The BusyError a sign-in refused by hasRoom throws (counted as a refusal). */
  refusal(): BusyError;
  stats(): GateStats;
}

export function createHasher(opts: HasherOptions): PasswordHasher {
  const gate = new Gate('bcrypt', opts.concurrent, opts.waiting, opts.retryAfterSeconds);
  watchGate('bcrypt', () => gate.stats());
  const hasher: PasswordHasher = {
    compare: (plain, hash) => gate.run(() => bcrypt.compare(plain, hash)),
    hash: (plain, cost) => gate.run(() => bcrypt.hash(plain, cost)),
    hasRoom: () => gate.hasRoom(),
    refusal: () => gate.refuse(),
    reserve() {
      const ticket = gate.reserve();
      if (!ticket) throw new BusyError(opts.retryAfterSeconds, 'bcrypt');
      return {
        ...hasher,
        compare: (plain, hash) => ticket.run(() => bcrypt.compare(plain, hash)),
        hash: (plain, cost) => ticket.run(() => bcrypt.hash(plain, cost)),
        release: () => ticket.cancel(),
      };
    },
    stats: () => gate.stats(),
  };
  return hasher;
}

