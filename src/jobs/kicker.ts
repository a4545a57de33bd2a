// E-bills right after crediting, not on the next job tick: crediting calls kick() once its
// transaction has committed, on the instance that credited, and the bill is requested at once.
// Kicks that come while a drain runs are folded into one more drain after it, so a burst of
// notifications costs a few drains, not one each. The e-bill job stays as the safety net (a crash
// between the commit and the kick, a platform that was down, another instance's backlog).
import type { Logger } from 'pino';

export interface Kicker {
  kick(): void;
  /** Resolves when no drain is running or asked for (tests, shutdown). */
  idle(): Promise<void>;
}

export function createKicker(drain: () => Promise<unknown>, logger?: Pick<Logger, 'error'>): Kicker {
  let running: Promise<void> | null = null;
  let again = false;

  const loop = async () => {
    do {
      again = false;
      try {
        await drain();
      } catch (err) {
        logger?.error({ err }, 'e-bill kick failed; the job will retry');
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
