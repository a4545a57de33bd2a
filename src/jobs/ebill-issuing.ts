// Scheduler entry point for e-bill issuing (see jobs/index.ts). Safe to run on several instances
// at once: receipts are claimed with SKIP LOCKED and a lease (see ebills/repo claimDue).
import { issuePendingEbills, type IssuingDeps, type IssuingResult } from '../modules/ebills/issuing';

export type EbillIssuingDeps = IssuingDeps;

export function runEbillIssuing(deps: EbillIssuingDeps): Promise<IssuingResult> {
  return issuePendingEbills(deps);
}
