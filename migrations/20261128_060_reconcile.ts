// Reconciliation and recovery: each run of a channel's daily statement against our
// payments, every difference it found with what was done or is proposed about it, and the
// overpayments finance must hand back (a bill paid twice, a second payment of one order).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('reconcile_runs', (t) => {
    t.bigIncrements('id');
    t.string('channel', 16).notNullable();
    t.date('day').notNullable(); // the statement's business day (Asia/Shanghai)
    t.string('status', 12).notNullable().defaultTo('running'); // running | done | failed
    t.string('trigger', 16).notNullable().defaultTo('job'); // job | cli | console
    t.integer('statement_lines').notNullable().defaultTo(0);
    t.decimal('statement_total', 14, 2).notNullable().defaultTo(0); // payments only
    t.integer('matched').notNullable().defaultTo(0);
    t.integer('differences').notNullable().defaultTo(0);
    t.integer('restored').notNullable().defaultTo(0);
    t.text('error');
    // The channel's file as downloaded: the evidence if a difference is disputed later.
    t.text('raw');
    t.timestamp('started_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('finished_at', { useTz: true });
    t.index(['channel', 'day']);
  });
  await knex.raw(`ALTER TABLE reconcile_runs ADD CONSTRAINT reconcile_runs_status_chk CHECK (status IN ('running','done','failed'))`);

  await knex.schema.createTable('reconcile_differences', (t) => {
    t.bigIncrements('id');
    t.bigInteger('run_id').notNullable().references('reconcile_runs.id');
    t.string('channel', 16).notNullable();
    t.date('day').notNullable();
    t.string('kind', 24).notNullable();
    t.string('order_no', 32);
    t.string('channel_order_id', 64);
    t.string('channel_trade_no', 64);
    t.bigInteger('attempt_id').references('payment_attempts.id');
    t.decimal('our_amount', 14, 2);
    t.decimal('channel_amount', 14, 2);
    // What happened about it: restored (credited through the payment service), or proposed to finance.
    t.string('action', 16).notNullable(); // restored | proposed | none
    t.string('outcome', 32).notNullable().defaultTo(''); // the credit outcome of a restore
    t.string('detail', 300).notNullable().defaultTo('');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['run_id']);
    t.index(['order_no']);
  });
  await knex.raw(`ALTER TABLE reconcile_differences ADD CONSTRAINT reconcile_differences_kind_chk CHECK (kind IN
    ('paid_not_credited','credited_absent','amount_mismatch','status_mismatch','refund_mismatch'))`);
  await knex.raw(`ALTER TABLE reconcile_differences ADD CONSTRAINT reconcile_differences_action_chk CHECK (action IN ('restored','proposed','none'))`);

  // An overpayment: either a bill credited beyond what it owes (kind bill: two orders paid for
  // it), or a payment of an order that was already paid through another attempt (kind attempt:
  // recorded on the attempt, never credited to the bill). One row per cause, so the scan that
  // finds them can run on every instance and every minute without flagging anything twice.
  await knex.schema.createTable('overpayments', (t) => {
    t.bigIncrements('id');
    t.string('kind', 8).notNullable(); // bill | attempt
    t.integer('person_id').notNullable().references('people.id');
    t.integer('bill_id').references('bills.id');
    t.bigInteger('order_id').notNullable().references('orders.id');
    t.bigInteger('attempt_id').references('payment_attempts.id');
    t.string('channel', 16);
    t.decimal('amount', 14, 2).notNullable();
    t.string('status', 16).notNullable().defaultTo('open'); // open | refunding | refunded | failed | dismissed
    t.string('refund_no', 32);
    t.string('note', 300).notNullable().defaultTo('');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('resolved_at', { useTz: true });
    t.index(['status']);
  });
  await knex.raw(`ALTER TABLE overpayments ADD CONSTRAINT overpayments_kind_chk CHECK (kind IN ('bill','attempt'))`);
  await knex.raw(`ALTER TABLE overpayments ADD CONSTRAINT overpayments_status_chk CHECK (status IN ('open','refunding','refunded','failed','dismissed'))`);
  await knex.raw(`ALTER TABLE overpayments ADD CONSTRAINT overpayments_amount_chk CHECK (amount > 0)`);
  await knex.raw(`CREATE UNIQUE INDEX overpayments_bill_order_uq ON overpayments (bill_id, order_id) WHERE kind = 'bill'`);
  await knex.raw(`CREATE UNIQUE INDEX overpayments_attempt_uq ON overpayments (attempt_id) WHERE kind = 'attempt'`);

  // The active query looks for attempts still out at a channel, oldest first.
  await knex.raw(`CREATE INDEX payment_attempts_sent_idx ON payment_attempts (created_at) WHERE status = 'sent'`);
  await knex.raw(`CREATE INDEX payment_attempts_paid_idx ON payment_attempts (channel, paid_at) WHERE status = 'paid'`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS payment_attempts_paid_idx');
  await knex.raw('DROP INDEX IF EXISTS payment_attempts_sent_idx');
  await knex.schema.dropTableIfExists('overpayments');
  await knex.schema.dropTableIfExists('reconcile_differences');
  await knex.schema.dropTableIfExists('reconcile_runs');
}
