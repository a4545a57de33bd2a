// Scheduler entry point for e-bill issuing. Safe to run on several instances at once: receipts are
// claimed with SKIP LOCKED and a lease (see ebills/repo claimDue).
import { issuePendingEbills, type IssuingDeps, type IssuingResult } from '../modules/ebills/issuing';

export type EbillIssuingDeps = IssuingDeps;

export function runEbillIssuing(deps: EbillIssuingDeps): Promise<IssuingResult> {
  return issuePendingEbills(deps);
}

/**
 * Until the scheduler with advisory locks lands, each instance runs the job on a timer. A run never
 * overlaps the previous one on the same instance, and the timer does not keep the process alive.
 */
export function startEbillIssuing(deps: EbillIssuingDeps, everyMs = 30_000): () => void {
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      const r = await runEbillIssuing(deps);
      if (r.issued || r.failed) deps.logger?.info(r, 'e-bill issuing');
    } catch (err) {
      deps.logger?.error({ err }, 'e-bill issuing run failed');
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), everyMs);
  timer.unref();
  const first = setTimeout(() => void tick(), 3_000);
  first.unref();
  return () => {
    clearInterval(timer);
    clearTimeout(first);
  };
}
