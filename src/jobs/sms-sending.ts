// Scheduler entry point for the SMS outbox (see jobs/index.ts). Safe on several instances at
// once (SKIP LOCKED + lease).
import { drainSmsOutbox, type SmsSendingDeps, type SmsSendingResult } from '../modules/sms/outbox';

export function runSmsSending(deps: SmsSendingDeps): Promise<SmsSendingResult> {
  return drainSmsOutbox(deps);
}
