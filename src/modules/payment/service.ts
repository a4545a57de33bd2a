// 学费缴费 as one object for the routes, the jobs, reconciliation and the tests: each method is
// one command (./commands) or read model (./read) given this module's deps. No logic of its own.
import type { Decimal } from '../../domain/money';
import { keyedQueue } from '../../domain/keyed-queue';
import type { FeeType } from '../../domain/payable';
import type { Category } from '../../domain/payment-selection';
import { chooseOptional } from '../fees/optional';
import { EXPIRY_GRACE_MS } from '../../gateways/common/expiry';
import type { PayerDevice } from '../../domain/payer-device';
import { ChannelError, type PaidEvent, type PayerClient, type RawNotification } from '../../gateways/types';
import type { AttemptRow } from './attempts-repo';
import { attemptView, channelView } from './channel-view';
import { cancelOrder } from './commands/cancel-order';
import { changeNotifyMobile } from './commands/change-notify-mobile';
import { closeOrder } from './commands/close-order';
import { createOrder } from './commands/create-order';
import { creditPayment } from './commands/credit-payment';
import { expireOrders, settleExpiredAttempt } from './commands/expire-orders';
import { handleNotification } from './commands/handle-notification';
import { queryAndCredit } from './commands/query-and-credit';
import { settleOnReturn } from './commands/settle-on-return';
import { submitToChannel } from './commands/submit-to-channel';
import type { PaymentDeps } from './context';
import type { OrderRow } from './orders-repo';
import { otherFeesList } from './read/other-fees';
import { progressOf } from './read/progress';
import { checkSelection, itemsOf, orderViewOf, payableList, resultOf, reviewOf } from './read/wizard';
import type { WizardState } from './schemas';
import type { TuitionListRead } from './page-reads';

/**
 * How long after an attempt's expiry it is settled (a last question to its channel): the
 * channel's clock and ours may differ, and a payment started just before the expiry may still be
 * finishing at the bank. The adapters use the same grace.
 */
export { EXPIRY_GRACE_MS };
export type { PaymentDeps } from './context';
export type { CloseOutcome } from './commands/close-order';
export type { CreditOutcome } from './commands/credit-payment';
export type { LiveOrderOffer } from './read/live-beside';
export type { OpenAttempt, SubmitResult } from './commands/submit-to-channel';
export type { PayableBill } from '../fees/payable';

export function paymentService(deps: PaymentDeps) {
  const buildOne = keyedQueue();
  return {
    credit: (channel: string, event: PaidEvent, record: { kind: string; headers?: unknown; body?: string }) => creditPayment(deps, { channel, event, record }),
    // For the active query and reconciliation (src/jobs, src/modules/reconcile): they ask the
    // channel about an attempt and close or credit through the same functions as the wizard.
    channelOrder: (order: OrderRow, channelOrderId: string | null, total?: Decimal, expiresAt?: Date) =>
      channelView(deps, order, { channelOrderId, total, expiresAt }),
    attemptOrder: (order: OrderRow, a: Pick<AttemptRow, 'channel' | 'channelOrderId' | 'amount' | 'expiresAt'>, channelOrderId?: string | null) =>
      attemptView(deps, order, a, channelOrderId),
    closeOrder: (order: OrderRow, now: Date) => closeOrder(deps, { order, now }),
    queryAndCredit: (order: OrderRow, attempt: AttemptRow) => queryAndCredit(deps, { order, attempt }),
    settleExpiredAttempt: (attemptId: string, orderId: string, now: Date) => settleExpiredAttempt(deps, { attemptId, orderId, now }),

    listPayable: (personId: number, read?: TuitionListRead, now = new Date()) => payableList(deps, { personId, now, read }),
    /** 其他费用: the person's 其他费用-type bills by period, each saying whether and why not it can be paid, and the 选缴 offers. */
    listOther: (personId: number, now = new Date()) => otherFeesList(deps, { personId, now }),
    /** 选缴: bills the optional items chosen (one bill each, however often chosen). */
    chooseOptional: (user: { personId: number; accountId: number }, itemIds: readonly number[], ip = '', now = new Date()) =>
      chooseOptional(deps, { ...user, itemIds, ip, now }),
    /** `feeType`: the tab's wizard (学费缴费's unless told). */
    itemsFor: (personId: number, category: Category, periodIds: number[], now = new Date(), feeType: FeeType = '学费') => itemsOf(deps, { personId, feeType, category, periodIds, now }),
    chooseItems: (personId: number, selection: { feeType?: FeeType; category: Category; periods: number[]; lines: { billId: number; amount: string }[] }, now = new Date()) =>
      checkSelection(deps, { personId, selection: { ...selection, feeType: selection.feeType ?? '学费' }, now }),
    review: (personId: number, wizard: WizardState, now = new Date()) => reviewOf(deps, { personId, wizard, now }),
    /** Builds the order as asked, beside any live one (callers that mean to; the wizard uses offerOrBuild). */
    confirmOrder: (personId: number, wizard: WizardState, now = new Date()) => createOrder({ ...deps, buildOne }, { personId, wizard, now }),
    /** 交费信息显示's 下一步: a live order holding the same bills is offered unless named in `replace`. */
    offerOrBuild: (personId: number, wizard: WizardState, replace: readonly string[] = [], now = new Date()) =>
      createOrder({ ...deps, buildOne }, { personId, wizard, now, live: { replace } }),
    orderView: (personId: number, orderNo: string, now = new Date()) => orderViewOf(deps, { personId, orderNo, now }),
    /** `client`: the payer's browser (device and address), which chooses the channel's product; a desktop's QR when not given. */
    submitToChannel: (personId: number, orderNo: string, channel: string, now = new Date(), acknowledged: readonly string[] = [], client?: PayerClient, payerId: number | null = null) =>
      submitToChannel(deps, { personId, orderNo, channel, now, acknowledged, client, payerId }),
    cancel: (personId: number, orderNo: string, now = new Date()) => cancelOrder(deps, { personId, orderNo, now }),
    /** Where to send the browser first when `channel` must know the payer in this browser (JSAPI's 网页授权); null when it need not. */
    identifyAt: (channel: string, device: PayerDevice, redirectUri: string, state: string) => {
      const who = deps.registry.get(channel)?.payerIdentity;
      return who?.needed(device) ? who.authorizeUrl(redirectUri, state) : null;
    },
    /** The payer's id at `channel` from the code its 网页授权 came back with (a ChannelError when refused). */
    payerIdOf: async (channel: string, code: string) => {
      const who = deps.registry.get(channel)?.payerIdentity;
      if (!who) throw new ChannelError(`${channel}: no payer identity to ask`);
      return who.idOf(code);
    },
    /** The QR and waiting pages' question (owner only, our rows only): paid, waiting, expired or closed. */
    progress: (personId: number, orderNo: string, now = new Date()) => progressOf(deps, { personId, orderNo, now }),
    /** 银行支付结果: settled at the channel first when the payer comes back before the notification. */
    result: async (personId: number, orderNo: string) => resultOf(deps, { personId, order: await settleOnReturn(deps, { personId, orderNo }) }),
    handleNotification: (channel: string, raw: RawNotification, from = '') => handleNotification(deps, { channel, raw, from }),
    changeMobile: (user: { accountId: number; personId: number }, orderNo: string, mobile: string, ip: string) => changeNotifyMobile(deps, { user, orderNo, mobile, ip }),
    expireDue: (now = new Date()) => expireOrders(deps, { now }),
  };
}

export type PaymentService = ReturnType<typeof paymentService>;
