// What the refunds commands are given: the database, the audit log, the channels' refund APIs
// and, for second payments (which never reached a bill), the payment module's view of an attempt.
import type { Knex } from 'knex';
import type { Decimal } from '../../domain/money';
import type { ChannelOrder, RefundQueryResult, RefundRef, RefundResult } from '../../gateways/types';
import type { Logger } from '../../logger';
import type { AuditRepo } from '../audit/repo';
import type { AttemptRow, OrderRow } from '../payment/repo';

/** A channel's refund API. */
export interface RefundChannel {
  refund(order: ChannelOrder, amount: Decimal, refundNo: string, requestedAt?: Date): Promise<RefundResult>;
  queryRefund(order: ChannelOrder, refund: RefundRef): Promise<RefundQueryResult>;
}

/** The part of the gateway registry a refund needs (GatewayRegistry satisfies it). */
export interface RefundGateways {
  get(channel: string): RefundChannel | null;
}

/** The payment module's view of a second payment, to send it back through its own channel. */
export interface AttemptOrders {
  orderById(id: string): Promise<OrderRow | null>;
  attemptsOf(orderId: string): Promise<AttemptRow[]>;
  attemptOrder(order: OrderRow, attempt: AttemptRow): Promise<ChannelOrder>;
}

export interface RefundsDeps {
  db: Knex;
  audit: AuditRepo;
  gateways: RefundGateways | null;
  /** The site the order as the adapter sees it names (its notify and return addresses, its subject). */
  site: { publicUrl: string; schoolName: string };
  attempts: AttemptOrders | null;
  logger: Logger | null;
}
