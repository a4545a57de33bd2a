// The world of the reconciliation tests: the platform and the sandbox on real ports (payEnv), a
// reconciliation module over the same database, payers with 学费-type bills, and the three ways a
// payer pays at the sandboxes (non-tax cashier, WeChat phone page, ICBC bank page), all over HTTP.
import { expect } from 'vitest';
import { businessDate } from '../../src/domain/business-date';
import type { ChannelAdapter, PaymentAction } from '../../src/gateways/types';
import { checkChannelStatements, checkLedger, type StatementSource } from '../../src/modules/reconcile/ledger-check';
import { ledgerCheckRepo } from '../../src/modules/reconcile/ledger-check-repo';
import { count, orderOf, payAt as payAtChannel, payEnv, sandboxControl, submitTo } from '../helpers/world';
import { testServices } from '../helpers/services';
import type { TestDatabase } from '../helpers/test-db';
import * as f from '../factories';

export type Channel = 'nontax' | 'wechat' | 'icbc';

/**
 * ICBC has no statement API: finance downloads the day's file from ICBC's file service and
 * uploads it. Here the file is the ICBC sandbox's for the day, and it goes through the same
 * reconcileFile as the console's upload; other channels download as the job does.
 */
export async function icbcStatementFile(sandboxUrl: string, day: string): Promise<Buffer> {
  const r = await fetch(`${sandboxUrl}/icbc/statement-file?day=${day}`);
  expect(r.status).toBe(200);
  return Buffer.from(await r.arrayBuffer());
}

/** Statements as the ledger check sees them: ICBC's from the day's file at the sandbox, the others downloaded. */
export function sandboxStatements(registry: { get(id: string): ChannelAdapter | null }, sandboxUrl: string): StatementSource {
  return {
    get(id) {
      const a = registry.get(id);
      if (id !== 'icbc' || !a?.parseStatement) return a;
      const parse = a.parseStatement.bind(a);
      return { downloadStatement: async (day: string) => parse(day, await icbcStatementFile(sandboxUrl, day)) };
    },
  };
}

export async function reconcileWorld(db: TestDatabase, env: Record<string, string> = {}) {
  const pay = await payEnv(db, env);
  const knex = db.knex;
  const base = testServices({ config: pay.config, db });
  const icbcFile = (day: string) => icbcStatementFile(pay.sandboxUrl, day);
  // The reconciliation and what the tests reach beside it, under the names they use.
  const m = {
    payment: base.payment, registry: base.gateways, repo: base.staleOrders, refunds: base.refunds, statements: base.statements,
    service: {
      ...base.reconcile,
      async reconcile(channel: string, day: string, trigger?: 'job' | 'cli' | 'console') {
        if (channel !== 'icbc') return base.reconcile.reconcile(channel, day, trigger);
        return base.reconcile.reconcileFile(channel, day, await icbcFile(day));
      },
    },
  };
  const statements = sandboxStatements(base.gateways, pay.sandboxUrl);
  const today = () => businessDate();

  /** A payer with one bill of `due` in a 学费-type item of the category. */
  const payer = (category: '财政' | '代收', due = '250.00') => f.payerWithBill(knex, category, due);
  type Payer = Awaited<ReturnType<typeof payer>>;

  const order = (p: Payer, amount = p.due): Promise<string> => orderOf(pay.payment, p, amount);
  const submit = (p: Payer, orderNo: string, channel: Channel): Promise<PaymentAction> => submitTo(pay.payment, p, orderNo, channel);

  /** The payer presses 确认支付 at the channel the action leads to. */
  async function payAt(channel: Channel, action: PaymentAction) {
    if (channel === 'nontax') {
      expect(action.kind).toBe('redirect');
      // The cashier's 支付宝 leads to the Alipay sandbox's checkout, where the payer confirms.
      await payAtChannel(action, { method: 'alipay' });
    } else if (channel === 'wechat') {
      expect(action.kind).toBe('qrCode');
      const res = await payAtChannel(action);
      expect(res.status).toBe(200);
    } else {
      expect(action.kind).toBe('form');
      const res = await payAtChannel(action);
      expect(res.nextStatus).toBe(200);
      expect(res.status).toBe(200);
    }
  }

  const sandbox = sandboxControl(pay);
  const control = (body: object) => sandbox.faults(body);
  /** Arms a fault of the card/wallet sandbox (lose, reorder, query_error …). */
  async function fault(channel: 'wechat' | 'icbc', kind: string, count = 1) {
    expect((await control({ channel, kind, count })).status).toBe(201);
  }
  async function clearFaults() {
    await sandbox.clear();
  }
  /**
   * The non-tax simulator's faults, through the shared control: 'hold' (the next 1000 payments
   * are never notified) until 'none' disarms them.
   */
  async function nontaxFault(mode: 'hold' | 'none') {
    const r = mode === 'none'
      ? await sandbox.clear('nontax')
      : await control({ channel: 'nontax', kind: mode, count: 1000 });
    expect(r.status).toBe(mode === 'none' ? 204 : 201);
  }

  async function statusOf(orderNo: string): Promise<string> {
    return (await knex('orders').where({ order_no: orderNo }).first('status')).status;
  }

  /** The books agree with themselves and with each channel's statement for the day. */
  async function ledgerDifferences(days = [today()], channels: Channel[] = ['nontax', 'wechat', 'icbc']) {
    const repo = ledgerCheckRepo(knex);
    return [...(await checkLedger(repo)), ...(await checkChannelStatements(repo, statements, channels, days))];
  }

  /** How each order was credited: ledger payment entries, receipts. */
  async function creditsOf(orderNo: string) {
    const o = await knex('orders').where({ order_no: orderNo }).first('id');
    return { entries: await count(knex('bill_ledger').where({ order_id: o.id, kind: 'payment' })), receipts: await count(knex('receipts').where({ order_id: o.id })) };
  }

  return { ...pay, knex, m, icbcFile, today, payer, order, submit, payAt, fault, clearFaults, nontaxFault, statusOf, ledgerDifferences, creditsOf };
}

export type ReconcileWorld = Awaited<ReturnType<typeof reconcileWorld>>;
