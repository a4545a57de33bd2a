// A bounded gate for scarce work: at most `concurrent` runs at once, at most `waiting` wait for
// a turn in arrival order, and anything past that is refused at once with BusyError (answered
// 503 with Retry-After by src/http/errors.ts) instead of joining a queue that only grows. Under
// three times the load it can serve, the excess costs a refusal, not memory or a timeout.
import { AppError } from './app-error';

/** What an overloaded page says; the page adds the finance phones (views/errors/busy.ejs). */
export const BUSY_MESSAGE = '当前访问人数较多，请稍后再试';

/** A refusal because the platform is at capacity: retry after `retryAfterSeconds`. */
export class BusyError extends AppError {
  constructor(
    readonly retryAfterSeconds: number,
    /** Which gate refused (a metric label): 'bcrypt', 'requests', 'notify', 'health', 'database'. */
    readonly gate: string,
  ) {
    super('unavailable', BUSY_MESSAGE);
    this.name = 'BusyError';
  }
}

export const isBusyError = (e: unknown): e is BusyError => e instanceof BusyError;

export interface GateStats {
  active: number;
  waiting: number;
  /** Runs begun since the gate was made (entries for tryEnter). */
  started: number;
  refused: number;
  /** The most that were ever running and waiting at once: the gate's memory bound, observed. */
  maxActive: number;
  maxWaiting: number;
}

export class Gate {
  private active = 0;
  /** Places held for runs to come (reserve), counted as waiting. */
  private reserved = 0;
  private readonly queue: (() => void)[] = [];
  private started = 0;
  private refused = 0;
  private maxActive = 0;
  private maxWaiting = 0;

  constructor(
    readonly name: string,
    readonly concurrent: number,
    readonly waiting: number,
    readonly retryAfterSeconds: number,
  ) {
    if (concurrent < 1 || waiting < 0) throw new RangeError('a gate needs one place and no negative queue');
  }

  /** Whether a run asked for now would be taken (run or queued) rather than refused. */
  hasRoom(): boolean {
    return this.active + this.queue.length + this.reserved < this.concurrent + this.waiting;
  }

  /**
   * Holds a place for one run to come: work that must do something else first (a sign-in reads its
   * account) is refused now, before that work, or never. Null when the gate is full. The ticket's
   * run takes the place; cancel gives it back unused.
   */
  reserve(): { run<T>(fn: () => Promise<T>): Promise<T>; cancel(): void } | null {
    if (!this.hasRoom()) {
      this.refused++;
      return null;
    }
    this.reserved++;
    let held = true;
    const give = () => {
      if (held) this.reserved--;
      held = false;
    };
    return {
      run: (fn) => {
        if (!held) return this.run(fn);
        give();
        return this.enter(fn, true);
      },
      cancel: give,
    };
  }

  /** Runs `fn` in its turn; throws BusyError at once when every place and the whole queue are taken. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    return this.enter(fn, false);
  }

  private async enter<T>(fn: () => Promise<T>, reserved: boolean): Promise<T> {
    // Running, waiting and reserved together stay within concurrent + waiting, so a reserved run
    // always finds a place and the queue never outgrows `waiting`.
    if (!reserved && !this.hasRoom()) throw this.refuse();
    if (this.active < this.concurrent) this.take();
    else {
      // The place is handed over by the run that ends (leave), so `active` already counts us.
      await new Promise<void>((resolve) => {
        this.queue.push(resolve);
        this.maxWaiting = Math.max(this.maxWaiting, this.queue.length + this.reserved);
      });
      this.started++;
    }
    try {
      return await fn();
    } finally {
      this.leave();
    }
  }

  /** Takes a place without waiting, for work whose end is an event (a response): its release, or null when full. */
  tryEnter(): (() => void) | null {
    if (this.active >= this.concurrent) {
      this.refused++;
      return null;
    }
    this.take();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.leave();
    };
  }

  refuse(): BusyError {
    this.refused++;
    return new BusyError(this.retryAfterSeconds, this.name);
  }

  stats(): GateStats {
    return {
      active: this.active, waiting: this.queue.length + this.reserved, started: this.started, refused: this.refused,
      maxActive: this.maxActive, maxWaiting: this.maxWaiting,
    };
  }

  private take() {
    this.active++;
    this.started++;
    this.maxActive = Math.max(this.maxActive, this.active);
  }

  private leave() {
    const next = this.queue.shift();
    if (next) next();
    else this.active--;
  }
}
