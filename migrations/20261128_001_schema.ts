// The whole data model of the platform. Money is numeric(14,2) with CHECK constraints, so a bug
// in code cannot store a negative amount; uniqueness protects against double orders and double
// credits even when several app instances race.
import type { Knex } from 'knex';

const money = (t: Knex.CreateTableBuilder, name: string) =>
  t.decimal(name, 14, 2).notNullable().defaultTo(0);

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('colleges', (t) => {
    t.increments('id');
    t.string('code', 20).notNullable().unique();
    t.string('name', 100).notNullable().unique();
  });

  await knex.schema.createTable('classes', (t) => {
    t.increments('id');
    t.integer('college_id').notNullable().references('colleges.id');
    t.string('name', 100).notNullable();
    t.unique(['college_id', 'name']);
  });

  await knex.schema.createTable('people', (t) => {
    t.increments('id');
    t.string('number', 32).notNullable().unique(); // 人员编号 / 学号 / 用户编号
    t.string('name', 50).notNullable();
    t.string('gender', 2).notNullable();
    t.string('id_number', 18); // 身份证号
    t.string('kind', 16).notNullable(); // student | staff | external
    t.integer('college_id').references('colleges.id');
    t.integer('class_id').references('classes.id');
    t.string('phone', 32).notNullable().defaultTo(''); // 电话
    t.string('mobile', 11).notNullable().defaultTo(''); // 手机
    t.string('email', 100).notNullable().defaultTo('');
    t.string('address', 200).notNullable().defaultTo('');
    t.string('postcode', 6).notNullable().defaultTo('');
    t.timestamps(true, true);
    t.index(['college_id', 'class_id']);
    t.index(['id_number']);
    t.index(['name']);
  });
  await knex.raw(`ALTER TABLE people ADD CONSTRAINT people_gender_chk CHECK (gender IN ('男','女'))`);
  await knex.raw(`ALTER TABLE people ADD CONSTRAINT people_kind_chk CHECK (kind IN ('student','staff','external'))`);

  await knex.schema.createTable('accounts', (t) => {
    t.increments('id');
    t.integer('person_id').notNullable().unique().references('people.id');
    t.string('role', 20).notNullable();
    // NULL means "still the initial password" (the last 8 of the ID number, or the name for an
    // external payer): it is derivable from data we already hold, so hashing it protects nothing,
    // and leaving it unhashed lets finance bill 30,000 freshmen without 30,000 bcrypt rounds.
    t.string('password_hash', 100);
    t.boolean('must_change_password').notNullable().defaultTo(true);
    t.string('status', 16).notNullable().defaultTo('active');
    t.timestamp('password_changed_at', { useTz: true });
    t.string('security_question', 100);
    t.string('security_answer_hash', 100);
    t.string('bank_name', 50);
    t.text('bank_card_enc'); // AES-256-GCM, never the plain number
    t.string('bank_card_last4', 4);
    t.timestamp('last_login_at', { useTz: true });
    t.timestamps(true, true);
  });
  await knex.raw(
    `ALTER TABLE accounts ADD CONSTRAINT accounts_role_chk CHECK (role IN ('student','staff','external','dept_staff','finance_admin'))`,
  );
  await knex.raw(`ALTER TABLE accounts ADD CONSTRAINT accounts_status_chk CHECK (status IN ('active','disabled'))`);

  await knex.schema.createTable('fee_periods', (t) => {
    t.increments('id');
    t.string('name', 50).notNullable().unique(); // 2019年度
    t.integer('sort_order').notNullable().defaultTo(0);
    t.timestamps(true, true);
  });

  await knex.schema.createTable('fee_items', (t) => {
    t.increments('id');
    t.string('code', 32).notNullable(); // 项目编码 on the fiscal e-bill
    t.string('name', 100).notNullable().unique();
    t.string('category', 4).notNullable(); // 财政 | 代收
    t.string('fee_type', 8).notNullable(); // 学费 | 其他费用
    t.string('payee', 100).notNullable(); // 收款单位
    t.string('unit', 8).notNullable().defaultTo('元');
    t.timestamp('starts_at', { useTz: true }); // NULL for tuition: no collection window
    t.timestamp('ends_at', { useTz: true });
    t.string('status', 4).notNullable().defaultTo('收费'); // 收费 | 停止
    t.integer('sort_order').notNullable().defaultTo(0);
    t.timestamps(true, true);
  });
  await knex.raw(`ALTER TABLE fee_items ADD CONSTRAINT fee_items_category_chk CHECK (category IN ('财政','代收'))`);
  await knex.raw(`ALTER TABLE fee_items ADD CONSTRAINT fee_items_type_chk CHECK (fee_type IN ('学费','其他费用'))`);
  await knex.raw(`ALTER TABLE fee_items ADD CONSTRAINT fee_items_status_chk CHECK (status IN ('收费','停止'))`);
  await knex.raw(
    `ALTER TABLE fee_items ADD CONSTRAINT fee_items_window_chk CHECK (starts_at IS NULL OR ends_at IS NULL OR starts_at < ends_at)`,
  );

  // 应收: one person × period × fee item. The totals are a cache of bill_ledger, kept in the same
  // transaction as each ledger entry; `check-ledger` proves they agree.
  await knex.schema.createTable('bills', (t) => {
    t.increments('id');
    t.integer('person_id').notNullable().references('people.id');
    t.integer('period_id').notNullable().references('fee_periods.id');
    t.integer('fee_item_id').notNullable().references('fee_items.id');
    money(t, 'due'); // 应收金额
    money(t, 'refunded'); // 退费金额
    money(t, 'reduction'); // 减免金额
    money(t, 'paid'); // 实缴金额
    t.integer('version').notNullable().defaultTo(0);
    t.timestamps(true, true);
    t.unique(['person_id', 'period_id', 'fee_item_id']);
    t.index(['period_id', 'fee_item_id']);
  });
  await knex.raw(
    `ALTER TABLE bills ADD CONSTRAINT bills_amounts_chk CHECK (due >= 0 AND refunded >= 0 AND reduction >= 0 AND paid >= 0 AND refunded <= paid AND reduction <= due)`,
  );

  await knex.schema.createTable('bill_ledger', (t) => {
    t.bigIncrements('id');
    t.integer('bill_id').notNullable().references('bills.id');
    t.string('kind', 12).notNullable(); // charge | reduction | payment | refund | adjustment
    t.decimal('amount', 14, 2).notNullable(); // signed only for adjustment and reversing reductions
    t.bigInteger('order_id');
    t.bigInteger('receipt_id');
    t.integer('actor_account_id').references('accounts.id');
    t.string('reason', 200).notNullable().defaultTo('');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['bill_id']);
  });
  await knex.raw(
    `ALTER TABLE bill_ledger ADD CONSTRAINT bill_ledger_kind_chk CHECK (kind IN ('charge','reduction','payment','refund','adjustment'))`,
  );
  await knex.raw(
    `ALTER TABLE bill_ledger ADD CONSTRAINT bill_ledger_amount_chk CHECK (amount <> 0 AND (kind IN ('adjustment','reduction') OR amount > 0))`,
  );
  // Append-only: history of money is never rewritten, only corrected by a new entry.
  await knex.raw(`
    CREATE FUNCTION forbid_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$`);
  await knex.raw(
    `CREATE TRIGGER bill_ledger_append_only BEFORE UPDATE OR DELETE ON bill_ledger FOR EACH ROW EXECUTE FUNCTION forbid_change()`,
  );

  // Daily serial for order numbers: one row per business day, bumped atomically.
  await knex.schema.createTable('order_serials', (t) => {
    t.date('day').primary();
    t.integer('last').notNullable();
  });

  await knex.schema.createTable('orders', (t) => {
    t.bigIncrements('id');
    t.string('order_no', 17).notNullable().unique();
    t.integer('person_id').notNullable().references('people.id');
    t.string('category', 4).notNullable();
    t.string('status', 16).notNullable().defaultTo('created');
    t.decimal('amount', 14, 2).notNullable(); // 缴费金额
    money(t, 'fee'); // 手续费
    t.decimal('total', 14, 2).notNullable(); // 总金额
    money(t, 'refunded');
    t.string('channel', 16); // chosen at 确定缴费
    t.string('notify_mobile', 11).notNullable().defaultTo('');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('paid_at', { useTz: true });
    t.timestamp('closed_at', { useTz: true });
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['person_id', 'created_at']);
    t.index(['status', 'expires_at']);
  });
  await knex.raw(`ALTER TABLE orders ADD CONSTRAINT orders_category_chk CHECK (category IN ('财政','代收'))`);
  await knex.raw(
    `ALTER TABLE orders ADD CONSTRAINT orders_status_chk CHECK (status IN ('created','paying','paid','closed','failed','partly_refunded','refunded'))`,
  );
  await knex.raw(
    `ALTER TABLE orders ADD CONSTRAINT orders_amounts_chk CHECK (amount > 0 AND fee >= 0 AND total = amount + fee AND refunded >= 0 AND refunded <= amount)`,
  );
  await knex.raw(`ALTER TABLE orders ADD CONSTRAINT orders_no_chk CHECK (order_no ~ '^XF[0-9]{6}[A-Z]{3}[0-9]{6}$')`);

  await knex.schema.createTable('order_lines', (t) => {
    t.bigIncrements('id');
    t.bigInteger('order_id').notNullable().references('orders.id');
    t.integer('bill_id').notNullable().references('bills.id');
    t.decimal('amount', 14, 2).notNullable();
    t.unique(['order_id', 'bill_id']);
    t.index(['bill_id']);
  });
  await knex.raw(`ALTER TABLE order_lines ADD CONSTRAINT order_lines_amount_chk CHECK (amount > 0)`);

  // 银行交易记录: each submission of an order to a channel.
  await knex.schema.createTable('payment_attempts', (t) => {
    t.bigIncrements('id');
    t.bigInteger('order_id').notNullable().references('orders.id');
    t.string('channel', 16).notNullable();
    t.string('channel_order_id', 64); // what we sent as the channel's order id (缴款码 for non-tax)
    t.string('channel_trade_no', 64); // the channel's own trade number, once known
    t.decimal('amount', 14, 2).notNullable();
    money(t, 'fee');
    t.string('status', 16).notNullable().defaultTo('created'); // created | sent | paid | closed | failed
    t.string('pay_url', 500);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('paid_at', { useTz: true });
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['channel', 'channel_trade_no']);
    t.unique(['channel', 'channel_order_id']);
    t.index(['order_id']);
  });

  // Raw channel traffic, verified or not, for finance and for disputes.
  await knex.schema.createTable('channel_events', (t) => {
    t.bigIncrements('id');
    t.string('channel', 16).notNullable();
    t.bigInteger('attempt_id').references('payment_attempts.id');
    t.string('order_no', 32);
    t.string('kind', 16).notNullable(); // notify | query | close | refund | create
    t.boolean('verified').notNullable().defaultTo(false);
    t.string('outcome', 32).notNullable(); // credited | duplicate | rejected:<why> | ...
    t.jsonb('headers');
    t.text('body');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['order_no']);
  });

  await knex.raw(`CREATE SEQUENCE receipt_no_seq START 1`);
  await knex.schema.createTable('receipts', (t) => {
    t.bigIncrements('id');
    t.string('receipt_no', 6).notNullable().unique(); // 收费单号
    t.integer('person_id').notNullable().references('people.id');
    t.bigInteger('order_id').unique().references('orders.id');
    t.date('receipt_date').notNullable(); // 收费日期 (Asia/Shanghai)
    t.string('preparer', 50).notNullable(); // 制单人: 支付平台 or the cashier's name
    t.string('category', 4).notNullable();
    t.string('method', 16).notNullable(); // online | cash | pos | transfer
    t.decimal('total', 14, 2).notNullable();
    t.string('ebill_status', 8).notNullable().defaultTo('待生成'); // 待生成 | 已生成 | 其他票据
    t.integer('actor_account_id').references('accounts.id');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['person_id', 'receipt_date']);
  });

  await knex.schema.createTable('receipt_lines', (t) => {
    t.bigIncrements('id');
    t.bigInteger('receipt_id').notNullable().references('receipts.id');
    t.integer('bill_id').notNullable().references('bills.id');
    t.decimal('amount', 14, 2).notNullable();
    t.unique(['receipt_id', 'bill_id']);
  });

  // 甘肃省非税收入统一票据（电子）, or the university's own receipt for 代收 items.
  await knex.schema.createTable('ebills', (t) => {
    t.bigIncrements('id');
    t.bigInteger('receipt_id').notNullable().unique().references('receipts.id');
    t.string('kind', 8).notNullable(); // fiscal | school
    t.string('bill_code', 16).notNullable(); // 票据代码
    t.string('bill_no', 16).notNullable(); // 票据号码
    t.string('check_code', 6).notNullable(); // 校验码
    t.date('issued_on').notNullable(); // 开票日期
    t.string('payer_name', 50).notNullable();
    t.decimal('total', 14, 2).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['bill_code', 'bill_no']);
  });

  await knex.schema.createTable('refunds', (t) => {
    t.bigIncrements('id');
    t.string('refund_no', 32).notNullable().unique();
    t.bigInteger('order_id').references('orders.id');
    t.integer('bill_id').notNullable().references('bills.id');
    t.decimal('amount', 14, 2).notNullable();
    t.string('channel', 16); // NULL for an offline refund
    t.string('status', 16).notNullable().defaultTo('pending'); // pending | succeeded | failed
    t.string('reason', 200).notNullable();
    t.integer('actor_account_id').references('accounts.id');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`ALTER TABLE refunds ADD CONSTRAINT refunds_amount_chk CHECK (amount > 0)`);

  await knex.schema.createTable('announcements', (t) => {
    t.increments('id');
    t.string('title', 200).notNullable();
    t.text('body').notNullable();
    t.string('status', 12).notNullable().defaultTo('draft'); // draft | published | withdrawn
    t.timestamp('publish_from', { useTz: true });
    t.timestamp('publish_until', { useTz: true });
    t.integer('author_account_id').references('accounts.id');
    t.timestamps(true, true);
  });

  await knex.schema.createTable('audit_log', (t) => {
    t.bigIncrements('id');
    t.integer('actor_account_id').references('accounts.id');
    t.string('action', 64).notNullable();
    t.integer('target_person_id').references('people.id');
    t.jsonb('detail').notNullable().defaultTo('{}');
    t.string('ip', 64).notNullable().defaultTo('');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['created_at']);
    t.index(['actor_account_id']);
    t.index(['target_person_id']);
  });
  await knex.raw(
    `CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION forbid_change()`,
  );

  await knex.schema.createTable('sms_outbox', (t) => {
    t.bigIncrements('id');
    t.integer('person_id').references('people.id');
    t.string('mobile', 11).notNullable();
    t.text('body').notNullable();
    t.string('status', 8).notNullable().defaultTo('pending'); // pending | sent | failed
    t.integer('attempts').notNullable().defaultTo(0);
    t.timestamp('next_attempt_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('sent_at', { useTz: true });
    t.text('last_error');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['status', 'next_attempt_at']);
  });

  // connect-pg-simple's table; account_id is copied out of the JSON so that "sign out my other
  // sessions" is one indexed delete.
  await knex.schema.createTable('sessions', (t) => {
    t.string('sid').primary();
    t.json('sess').notNullable();
    t.timestamp('expire', { precision: 6 }).notNullable();
    t.index(['expire']);
  });

  // rate-limiter-flexible's Postgres store (login lockout per account and per IP).
  await knex.schema.createTable('rate_limits', (t) => {
    t.string('key', 255).primary();
    t.integer('points').notNullable().defaultTo(0);
    t.bigInteger('expire');
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of [
    'rate_limits', 'sessions', 'sms_outbox', 'audit_log', 'announcements', 'refunds', 'ebills',
    'receipt_lines', 'receipts', 'channel_events', 'payment_attempts', 'order_lines', 'orders',
    'order_serials', 'bill_ledger', 'bills', 'fee_items', 'fee_periods', 'accounts', 'people',
    'classes', 'colleges',
  ]) {
    await knex.schema.dropTableIfExists(table);
  }
  await knex.raw('DROP SEQUENCE IF EXISTS receipt_no_seq');
  await knex.raw('DROP FUNCTION IF EXISTS forbid_change()');
}
