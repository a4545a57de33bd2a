// Statements carrying each kind of difference, produced over real HTTP by the sandboxes and their
// fault injection (lost notifications) or by changing the channel's own records after the fact
// (a trade it forgot, an amount or trade number it changed, a refund made at the channel only).
// Each is classified, the restorable one restored, the rest proposed; shown on the console's 对账
// page and reported by the CLI with a non-zero exit.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkLedger } from '../../src/modules/reconcile/ledger-check';
import { ledgerCheckRepo } from '../../src/modules/reconcile/ledger-check-repo';
import { paymentRepo } from '../../src/modules/payment/repo';
import { checkLedgerCommand, reconcileCommand } from '../../src/cli/commands/reconcile';
import { Decimal } from '../../src/domain/money';
import { Client, text } from '../helpers/client';
import { TEST_SECRET } from '../helpers/app';
import { testDatabase } from '../helpers/test-db';
import { reconcileWorld } from '../reliability/reconcile-env';
import * as f from '../factories';

const db = await testDatabase();
const w = await reconcileWorld(db);

async function paid(channel: 'nontax' | 'wechat' | 'icbc', due = '250.00') {
  const p = await w.payer(channel === 'nontax' ? '财政' : '代收', due);
  const orderNo = await w.order(p);
  await w.payAt(channel, await w.submit(p, orderNo, channel));
  return { p, orderNo };
}

/** Back on the result page: the platform asks the channel and credits (notifications are lost here). */
async function settled(x: { p: { personId: number }; orderNo: string }) {
  await w.payment.result(x.p.personId, x.orderNo);
  expect(await w.statusOf(x.orderNo)).toBe('paid');
}

describe('a day’s statements with every kind of difference', () => {
  it('classifies each difference, restores the payment we missed and proposes the rest', async () => {
    // paid at the channel, never notified: restored (WeChat and non-tax).
    // Every notification of the card/wallet channels is lost in this test: what is credited here
    // is credited by the payer's return to the result page (settle-by-query), and nothing else.
    await w.fault('wechat', 'lose', 1000);
    await w.fault('icbc', 'lose', 1000);
    const lostWechat = await paid('wechat');
    await w.nontaxFault('hold');
    const lostNontax = await paid('nontax', '9099.95');
    await w.nontaxFault('none');

    // credited here, then the channel "forgets" the trade: absent from its statement.
    const forgotten = await paid('wechat', '0.01');
    await settled(forgotten);
    w.sandbox.wechat.trades.delete(forgotten.orderNo);

    // credited here, then the channel's record says another trade number: status mismatch.
    const renumbered = await paid('wechat', '1100.00');
    await settled(renumbered);
    w.sandbox.wechat.trades.get(renumbered.orderNo)!.tradeNo = '4200000000000000000000000001';

    // refunded at the channel without a refund here: refund mismatch.
    const refundedThere = await paid('wechat', '300.00');
    await settled(refundedThere);
    const row = (await w.knex('orders').where({ order_no: refundedThere.orderNo }).first('id')).id;
    const order = (await paymentRepo(w.knex).orderById(String(row)))!;
    const r = await w.m.registry.get('wechat')!.refund(await w.payment.channelOrder(order, refundedThere.orderNo, order.total), new Decimal('100.00'), 'TF-AT-CHANNEL-1');
    expect(r.status).toBe('succeeded');

    // a payment at the channel for an order we never made.
    const stranger = await w.m.registry.get('wechat')!.createPayment({
      orderNo: 'XF261129LUT999001', total: new Decimal('66.00'), category: '代收', createdAt: new Date(), expiresAt: new Date(Date.now() + 3600_000),
      payer: { number: 'X', name: '某人', mobile: '' }, lines: [], subject: '不明款项', notifyUrl: `${w.appUrl}/pay/notify/wechat`, returnUrl: w.appUrl,
    });
    await w.payAt('wechat', stranger.action);

    // ICBC: credited, then the channel's amount differs; and one never credited with a different amount.
    const reamounted = await paid('icbc', '249.99');
    await settled(reamounted);
    w.sandbox.icbc.trades.get(reamounted.orderNo)!.fen += 1n;
    const wrongAndLost = await paid('icbc', '500.00');
    w.sandbox.icbc.trades.get(wrongAndLost.orderNo)!.fen = 49_999n;

    const day = w.today();
    const wechat = await w.m.service.reconcile('wechat', day, 'console');
    const icbc = await w.m.service.reconcile('icbc', day, 'console');
    const nontax = await w.m.service.reconcile('nontax', day, 'console');

    const summary = (run: typeof wechat) => run.differences.map((d) => ({ kind: d.kind, order: d.orderNo ?? d.channelOrderId, action: d.action, outcome: d.outcome ?? '' }))
      .sort((a, b) => `${a.kind}${a.order}`.localeCompare(`${b.kind}${b.order}`));
    expect(summary(wechat)).toEqual([
      { kind: 'credited_absent', order: forgotten.orderNo, action: 'proposed', outcome: '' },
      { kind: 'paid_not_credited', order: lostWechat.orderNo, action: 'restored', outcome: 'credited' },
      { kind: 'paid_not_credited', order: 'XF261129LUT999001', action: 'proposed', outcome: '' },
      { kind: 'refund_mismatch', order: refundedThere.orderNo, action: 'proposed', outcome: '' },
      { kind: 'status_mismatch', order: renumbered.orderNo, action: 'proposed', outcome: '' },
    ].sort((a, b) => `${a.kind}${a.order}`.localeCompare(`${b.kind}${b.order}`)));
    expect(wechat.matched).toBe(1); // refundedThere's payment itself agrees
    expect(summary(icbc)).toEqual([
      { kind: 'amount_mismatch', order: reamounted.orderNo, action: 'proposed', outcome: '' },
      { kind: 'amount_mismatch', order: wrongAndLost.orderNo, action: 'proposed', outcome: '' },
    ]);
    const amounts = icbc.differences.find((d) => d.orderNo === reamounted.orderNo)!;
    expect([amounts.ourAmount!.toFixed(2), amounts.channelAmount!.toFixed(2)]).toEqual(['249.99', '250.00']);
    expect(summary(nontax)).toEqual([{ kind: 'paid_not_credited', order: lostNontax.orderNo, action: 'restored', outcome: 'credited' }]);

    // Restored ones are credited once; an amount the channel changed is never credited on its word.
    expect(await w.statusOf(lostWechat.orderNo)).toBe('paid');
    expect(await w.creditsOf(lostWechat.orderNo)).toEqual({ entries: 1, receipts: 1 });
    expect(await w.statusOf(lostNontax.orderNo)).toBe('paid');
    expect(await w.statusOf(wrongAndLost.orderNo)).toBe('paying');

    // The books agree with themselves; the statements do not, and the check says so.
    expect(await checkLedger(ledgerCheckRepo(w.knex))).toEqual([]);
    const diffs = await w.ledgerDifferences();
    expect(diffs.map((d) => d.rule)).toEqual(expect.arrayContaining(['channel-statement']));
    expect(diffs.some((d) => d.detail.includes(forgotten.orderNo) && d.detail.includes('absent'))).toBe(true);

    // Stored and shown to finance with the action taken or proposed.
    const stored = await w.knex('reconcile_differences').select('kind', 'action');
    expect(stored).toHaveLength(8);
    const fin = await f.person(w.knex, { role: 'finance_admin', password: 'Fin@2026pass' });
    const c = new Client(w.app);
    expect((await c.login(fin.number, 'Fin@2026pass')).status).toBe(303);
    const page = await c.get('/console/reconcile');
    expect(page.status).toBe(200);
    const t = text(page.text);
    for (const s of ['对账批次', '差异明细', '渠道已收款本平台未入账', '本平台已入账渠道无记录', '金额不符', '状态不符', '退款不符', '已自动补账', '待财务处理', forgotten.orderNo, '微信支付', '中国工商银行']) expect(t).toContain(s);
    const one = await c.get(`/console/reconcile?run=${icbc.runId}`);
    expect(text(one.text)).toContain(`差异明细（批次 ${icbc.runId}）`);
    // Run from the console: stored as another run and audited.
    const run = await c.post('/console/reconcile/run', { channel: 'nontax', day });
    expect(run.status).toBe(303);
    expect(await w.knex('audit_log').where({ action: 'reconcile.run' }).count<{ n: string }[]>('* as n').then((x) => Number(x[0]!.n))).toBe(1);
    expect((await c.post('/console/reconcile/run', { channel: 'nontax', day: '2999-01-01' })).status).toBe(400);
    // Department staff do not see it.
    const dept = await f.person(w.knex, { role: 'dept_staff', password: 'Dept@2026pass' });
    const d = new Client(w.app);
    await d.login(dept.number, 'Dept@2026pass');
    expect((await d.get('/console/reconcile')).status).toBe(403);

    // The CLI: differences left for finance → exit 1.
    const lines: string[] = [];
    // ICBC's statement is a file from the bank: without --file the command says so.
    expect(await reconcileCommand(w.knex, w.config, ['--channel', 'icbc', '--date', day], () => undefined)).toBe(2);
    const icbcFile = path.join(mkdtempSync(path.join(tmpdir(), 'icbc-')), 'ICBC.txt');
    writeFileSync(icbcFile, await w.icbcFile(day));
    expect(await reconcileCommand(w.knex, w.config, ['--channel', 'icbc', '--date', day, '--file', icbcFile], (s) => lines.push(s))).toBe(1);
    expect(lines.join('\n')).toContain('金额不符');
    expect(await reconcileCommand(w.knex, w.config, ['--channel', 'nontax', '--date', day], () => undefined)).toBe(0);
    expect(await reconcileCommand(w.knex, w.config, ['--channel', 'paypal', '--date', day], () => undefined)).toBe(2);
    expect(await checkLedgerCommand(w.knex, w.config, ['--date', day], () => undefined)).toBe(1);
    expect(await checkLedgerCommand(w.knex, w.config, ['--date', day, '--channel', 'nontax'], () => undefined)).toBe(0);
    // The last two days before today: nothing was received then, and the statements agree.
    expect(await checkLedgerCommand(w.knex, w.config, ['--days', '2', '--channel', 'wechat'], () => undefined)).toBe(0);
    expect(await checkLedgerCommand(w.knex, w.config, ['--days', '0'], () => undefined)).toBe(2);
  });

  it('`npm run cli -- check-ledger` exits non-zero on a difference and zero when the books agree', { timeout: 180_000 }, async () => {
    const env = {
      PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NODE_ENV: 'test', DATABASE_URL: db.url, SESSION_SECRET: TEST_SECRET,
      DATA_DIR: w.dataDir, SANDBOX_URL: w.sandboxUrl, LOG_LEVEL: 'silent',
    };
    // Asynchronously: the sandbox answering the statement requests lives in this process.
    const run = (...args: string[]) => new Promise<{ status: number | null; out: string }>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', 'check-ledger', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      child.on('close', (status) => resolve({ status, out }));
    });
    const bad = await run('--date', w.today());
    expect(bad.status, bad.out).toBe(1);
    expect(bad.out).toContain('channel-statement');
    const good = await run('--date', w.today(), '--channel', 'nontax');
    expect(good.status, good.out).toBe(0);
    expect(good.out).toContain('账务核对通过');
  });
});
