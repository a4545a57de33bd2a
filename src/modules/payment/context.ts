// What every command and read model of 学费缴费 is given: the database, the channels, the config
// they read and where to log. Built once by the module (./index.ts).
import type { Knex } from 'knex';
import type { Config } from '../../config';
import { AppError } from '../../domain/app-error';
import { CHOICE_LABEL } from '../../domain/labels';
import { Decimal } from '../../domain/money';
import { isOrderNo } from '../../domain/order-number';
import { own } from '../../domain/own';
import type { GatewayRegistry } from '../../gateways/registry';
import type { Logger } from '../../logger';
import type { AuditRepo } from '../audit/repo';
import { M } from './messages';
import type { NotifyLimit } from './notify-limit';
import { orderOfPerson, type OrderRow } from './orders-repo';

export interface PaymentDeps {
  db: Knex;
  registry: GatewayRegistry;
  audit: AuditRepo;
  config: Pick<Config, 'publicUrl' | 'orderTtlMinutes' | 'schoolCode' | 'schoolName' | 'channelFees'> & Partial<Pick<Config, 'unclosableAttemptTtlMinutes' | 'maxLiveOrders'>>;
  logger?: Logger;
  /** The per-address limit on refused notifications; none where no notifications are heard (the jobs). */
  notifyLimit?: NotifyLimit;
  /** Told after a credit has committed (the e-bill and SMS kicks, src/jobs/kicker.ts); never inside the transaction. */
  afterCredit?: () => void;
  /**
   * The non-tax platform's circuit breaker (../nontax-status/service.ts), told how each bill.push
   * of 确定缴费 went: the platform failing (no answer, a timeout, 5xx, an answer that does not
   * verify) or answering. A refusal of the bill itself says nothing about the platform.
   */
  nontaxBreaker?: { success(now: Date): Promise<void>; failure(error: string, now: Date): Promise<void> };
}

/** A channel's fee on top of the order's amount (CHANNEL_FEES), 0.00 where none is set. */
export const feeOf = (config: PaymentDeps['config'], channel: string) => new Decimal(config.channelFees[channel] ?? '0.00');

export const isUniqueViolation = (e: unknown) => (e as { code?: string }).code === '23505';

/** A channel as the payer chose it (中国工商银行, 银联支付 …): the name the wizard and its ledger lines use. */
export const choiceLabel = (channel: string) => own(CHOICE_LABEL, channel) ?? channel;

/** The person's own order by its number; someone else's answers exactly like one that does not exist. */
export async function ownOrder(deps: Pick<PaymentDeps, 'db'>, personId: number, orderNo: string): Promise<OrderRow> {
  const order = isOrderNo(orderNo) ? await orderOfPerson(deps.db, personId, orderNo) : null;
  if (!order) throw new AppError('not_found', M.orderNotFound);
  return order;
}
