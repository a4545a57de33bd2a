// What submitting an order to a channel answers: the page to send the payer to, already paid, or
// attempts elsewhere that are still open; a refusal in the payer's words is thrown (`refused`).
// Its own file because the late-answer path answers the same way.
import { AppError } from '../../../domain/app-error';
import type { PaymentAction } from '../../../gateways/types';

/** An attempt elsewhere that its channel could not close: still payable until `until`. */
export interface OpenAttempt {
  attemptId: string;
  orderNo: string;
  channel: string;
  until: Date;
}

export type SubmitResult =
  | { kind: 'action'; action: PaymentAction }
  | { kind: 'paid'; orderNo: string }
  /** Nothing was sent: the payer must first choose between the open attempt(s) and paying here. */
  | { kind: 'warning'; open: OpenAttempt[] }
  /** Nothing was sent: this channel's page cannot open in this browser (inside WeChat); the payer opens ours in the phone's browser. */
  | { kind: 'otherBrowser'; channel: string };

/**
 * The order cannot go to the channel as things stand (ended, paid elsewhere, a competing order
 * unsettled, the channel's no): 'conflict', shown on 图12 again. What was already done stays done
 * — an order closed because another paid, an attempt the channel refused marked failed.
 */
export const refused = (message: string) => new AppError('conflict', message);
