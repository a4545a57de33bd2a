// Outbound work right after what queued it, not on the next job tick: crediting (and issuing an
// e-bill) calls kick() once its transaction has committed, on the instance that did it, and the
// queue is drained at once. Kicks that come while a drain runs are folded into one more drain
// after it, so a burst of notifications costs a few drains, not one each. The periodic job stays
// as the safety net (a crash between the commit and the kick, a platform that was down, another
// instance's backlog); the drains claim rows FOR UPDATE SKIP LOCKED with a lease, so a kicked
// drain, the job and other instances never take the same row.
import type { Logger } from 'pino';

export interface Kicker {
  kick(): void;
  /** Resolves when no drain is running or asked for (tests, shutdown). */
  idle(): Promise<void>;
}

/** `name` says in the log which queue's drain failed (e-bills, SMS). */
export function createKicker(name: string, drain: () => Promise<unknown>, logger?: Pick<Logger, 'error'>): Kicker {
  let running: Promise<void> | null = null;
  let again = false;

  const loop = async () => {
    do {
      again = false;
      try {
        await drain();
      } catch (err) {
        logger?.error({ err, queue: name }, 'kicked drain failed; the job will retry');
      }
    } while (again);
    running = null;
  };

  return {
    kick() {
      if (running) {
        again = true;
        return;
      }
      running = loop();
    },
    async idle() {
      while (running) await running;
    },
  };
}
