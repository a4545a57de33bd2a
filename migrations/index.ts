// The ordered list of migrations. Listed statically rather than read from the folder so the same
// code runs under tsx, vitest and a bundler without a TypeScript loader for knex.
import type { Knex } from 'knex';
import * as schema from './20261128_001_schema';
import * as console_ from './20261128_030_console';
import * as receipts from './20261128_040_receipts';
import * as jobs from './20261128_050_jobs';
import * as reconcile from './20261128_060_reconcile';
import * as refundRecovery from './20261128_070_refund_recovery';
import * as attemptExpiry from './20261201_080_attempt_expiry';
import * as duplicateBills from './20261201_090_duplicate_bills';
import * as refusedNotifications from './20261201_110_refused_notifications';
import * as throttleCaptchas from './20261202_100_throttle_captchas';
import * as importJobsPdfCache from './20261201_120_import_jobs_pdf_cache';
import * as nontaxOutage from './20261202_130_nontax_outage';
import * as ebillSettlement from './20261203_100_ebill_settlement';
import * as refundPurpose from './20261210_140_refund_purpose';
import * as otherFees from './20261220_200_other_fees';
import * as smsCodes from './20261220_210_sms_codes';
import * as enrolment from './20261220_220_enrolment';
import * as deferralsLoans from './20261220_240_deferrals_loans';
import * as deferralsByBill from './20261222_280_deferrals_by_bill';
import * as reminders from './20261220_250_reminders';
import * as payers from './20261221_260_payers';
import * as campaignDeferred from './20261221_270_campaign_deferred';

interface Migration {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

export const migrations: [string, Migration][] = [
  ['20261128_001_schema', schema],
  ['20261128_030_console', console_],
  ['20261128_040_receipts', receipts],
  ['20261128_050_jobs', jobs],
  ['20261128_060_reconcile', reconcile],
  ['20261128_070_refund_recovery', refundRecovery],
  ['20261201_080_attempt_expiry', attemptExpiry],
  ['20261201_090_duplicate_bills', duplicateBills],
  ['20261201_110_refused_notifications', refusedNotifications],
  ['20261202_100_throttle_captchas', throttleCaptchas],
  ['20261201_120_import_jobs_pdf_cache', importJobsPdfCache],
  ['20261202_130_nontax_outage', nontaxOutage],
  ['20261203_100_ebill_settlement', ebillSettlement],
  ['20261210_140_refund_purpose', refundPurpose],
  ['20261220_200_other_fees', otherFees],
  ['20261220_210_sms_codes', smsCodes],
  ['20261220_220_enrolment', enrolment],
  ['20261220_240_deferrals_loans', deferralsLoans],
  ['20261220_250_reminders', reminders],
  ['20261221_260_payers', payers],
  ['20261221_270_campaign_deferred', campaignDeferred],
  ['20261222_280_deferrals_by_bill', deferralsByBill],
];
