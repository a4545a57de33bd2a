// The payment module's repos in one import: orders (./orders-repo.ts), attempts
// (./attempts-repo.ts) and channel events (./events-repo.ts), each function taking its `trx` first.
// `paymentRepo(db)` binds the few reads other modules and the jobs take as an object
// (reconciliation, the active query, the notify purge); it holds no SQL of its own.
import type { Knex } from 'knex';
import { attemptsOf } from './attempts-repo';
import { purgeRefusedNotifications } from './events-repo';
import { orderById } from './orders-repo';

export * from './orders-repo';
export * from './attempts-repo';
export * from './events-repo';

export function paymentRepo(db: Knex) {
  return {
    orderById: (id: string) => orderById(db, id),
    attemptsOf: (orderId: string) => attemptsOf(db, orderId),
    purgeRefusedNotifications: (before: Date, batch?: number) => purgeRefusedNotifications(db, before, batch),
  };
}

export type PaymentRepo = ReturnType<typeof paymentRepo>;
