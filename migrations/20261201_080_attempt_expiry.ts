// Each payment attempt's own expiry at its channel. An attempt at a channel that cannot always be
// closed (ICBC e-pay, UnionPay, an unscanned Alipay QR) is given a short life of its own, shorter
// than its order's: the bank page stops being payable soon after the payer leaves it. Existing
// attempts were sent with their order's expiry, so that is what they are backfilled with.
// Left nullable: a row written without it (a console or test insert) means "its order's expiry",
// which is what the payment module reads in that case.
// duplicate_payment marks a payment that arrived when its bills (or its order) were already
// paid: the second payment of a bill, refunded automatically through its own channel.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('payment_attempts', (t) => {
    t.timestamp('expires_at', { useTz: true });
    t.boolean('duplicate_payment').notNullable().defaultTo(false);
  });
  await knex.raw('UPDATE payment_attempts a SET expires_at = o.expires_at FROM orders o WHERE o.id = a.order_id');
  await knex.raw(`CREATE INDEX payment_attempts_live_expiry_idx ON payment_attempts (expires_at) WHERE status IN ('created','sent')`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS payment_attempts_live_expiry_idx');
  await knex.schema.alterTable('payment_attempts', (t) => {
    t.dropColumn('expires_at');
    t.dropColumn('duplicate_payment');
  });
}
