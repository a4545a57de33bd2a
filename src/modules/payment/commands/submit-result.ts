// What submitting an order to a channel answers: the page to send the payer to, already paid, a
// refusal in the payer's words, or attempts elsewhere that are still open. Its own file because
// the late-answer path returns it too.
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
  | { kind: 'refused'; message: string }
  /** Nothing was sent: the payer must first choose between the open attempt(s) and paying here. */
  | { kind: 'warning'; open: OpenAttempt[] }
  /** Nothing was sent: this channel's page cannot open in this browser (inside WeChat); the payer opens ours in the phone's browser. */
  | { kind: 'otherBrowser'; channel: string };
