// Refund recovery: a channel refund whose answer was unclear (timeout, 5xx)
// or still processing is asked about again by the refund-query job until the channel settles it.
// Each refund keeps when it was first asked for (UnionPay names a refund by orderId + txnTime,
// so a retry must carry the same time), how often it was asked, and the last unclear answer.
// A refund handed back for a second payment of an order (overpayments kind 'attempt') never has
// a refunds row, so its flag keeps the same request time.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('refunds', (t) => {
    t.timestamp('requested_at', { useTz: true });
    t.integer('checks').notNullable().defaultTo(0);
    t.timestamp('last_checked_at', { useTz: true });
    t.string('last_error', 300);
    t.string('channel_refund_no', 64);
    t.timestamp('settled_at', { useTz: true });
  });
  await knex.raw('UPDATE refunds SET requested_at = created_at');
  await knex.raw(`ALTER TABLE refunds ALTER COLUMN requested_at SET DEFAULT now(), ALTER COLUMN requested_at SET NOT NULL`);
  await knex.raw(`CREATE INDEX refunds_pending_idx ON refunds (requested_at) WHERE status = 'pending'`);

  await knex.schema.alterTable('overpayments', (t) => {
    t.timestamp('refund_requested_at', { useTz: true });
  });
  await knex.raw(`CREATE INDEX overpayments_refunding_idx ON overpayments (id) WHERE status = 'refunding'`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS overpayments_refunding_idx');
  await knex.schema.alterTable('overpayments', (t) => t.dropColumn('refund_requested_at'));
  await knex.raw('DROP INDEX IF EXISTS refunds_pending_idx');
  await knex.schema.alterTable('refunds', (t) => {
    for (const c of ['requested_at', 'checks', 'last_checked_at', 'last_error', 'channel_refund_no', 'settled_at']) t.dropColumn(c);
  });
}
