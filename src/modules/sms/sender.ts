// 非税通知 goes out through an SmsSender. The platform ships a sandbox sender that "delivers" into
// the sms_sandbox_inbox table (the demo's stand-in for a phone); a real provider implements the same
// one method — see docs/sms.md.
import type { Knex } from 'knex';
import { recordSandboxSms } from './repo';

export interface SmsSender {
  /** Resolves once the provider has accepted the message; throws if it did not (the job retries). */
  send(mobile: string, body: string): Promise<{ providerId?: string }>;
}

export class SmsError extends Error {
  /** false for answers a retry cannot fix (invalid number, content rejected): the job stops trying. */
  constructor(message: string, readonly retryable = true) {
    super(message);
  }
}

/** Records every message in sms_sandbox_inbox instead of sending it. */
export function sandboxSmsSender(db: Knex): SmsSender {
  return {
    async send(mobile, body) {
      return { providerId: `sandbox-${await recordSandboxSms(db, mobile, body)}` };
    },
  };
}
