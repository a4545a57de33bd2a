// Scheduler entry point for the SMS outbox. Safe on several instances at once (SKIP LOCKED + lease).
import { drainSmsOutbox, type SmsSendingDeps, type SmsSendingResult } from '../modules/sms/outbox';

export function runSmsSending(deps: SmsSendingDeps): Promise<SmsSendingResult> {
  return drainSmsOutbox(deps);
}

/** A timer until the scheduler lands: no overlapping runs, and it does not keep the process alive. */
export function startSmsSending(deps: SmsSendingDeps, everyMs = 15_000): () => void {
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      const r = await runSmsSending(deps);
      if (r.sent || r.retrying || r.failed) deps.logger?.info(r, 'SMS outbox');
    } catch (err) {
      deps.logger?.error({ err }, 'SMS outbox run failed');
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), everyMs);
  timer.unref();
  const first = setTimeout(() => void tick(), 5_000);
  first.unref();
  return () => {
    clearInterval(timer);
    clearTimeout(first);
  };
}
