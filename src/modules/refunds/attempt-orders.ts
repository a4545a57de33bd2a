// The payment module's view of a second payment (its order, attempts and the adapter's view of
// the attempt), narrowed to what a refund of it needs.
import type { Knex } from 'knex';
import { paymentRepo } from '../payment/repo';
import type { PaymentService } from '../payment/service';
import type { AttemptOrders } from './deps';

export function attemptOrders(knex: Knex, payment: Pick<PaymentService, 'attemptOrder'>): AttemptOrders {
  const repo = paymentRepo(knex);
  return { orderById: (id) => repo.orderById(id), attemptsOf: (id) => repo.attemptsOf(id), attemptOrder: (o, a) => payment.attemptOrder(o, a) };
}
