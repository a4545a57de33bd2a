// Reconciliation against ICBC's statement file. ICBC's open platform has no statement API for
// e-pay, so finance uploads the day's file on the console's 对账 page; the file is read by the
// adapter's parser (layout: src/gateways/icbc/statement.ts, to be confirmed with ICBC) and
// reconciled by the same code as a downloaded statement. The sandbox serves the day's file.
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { businessDate } from '../../src/domain/business-date';
import { Decimal } from '../../src/domain/money';
import { parseIcbcStatement, writeIcbcStatement } from '../../src/gateways/icbc/statement';
import { ChannelError } from '../../src/gateways/types';
import { checkChannelStatements, checkLedger } from '../../src/modules/reconcile/ledger-check';
import { ledgerCheckRepo } from '../../src/modules/reconcile/ledger-check-repo';
import { text } from '../helpers/client';
import { PASSWORD, signedIn } from '../helpers/world';
import { testDatabase } from '../helpers/test-db';
import { reconcileWorld } from '../reliability/reconcile-env';
import * as f from '../factories';

const db = await testDatabase();
const w = await reconcileWorld(db);
const MER = w.config.channels!.icbc.merId;

/** A day's file in the layout read, GBK and CRLF, with a refund and the summary line. */
const FILE = [
  `#工银e支付对账单|商户编号:${MER}|对账日期:20261201`,
  '商户订单号|工行订单号|交易时间|交易类型|交易金额|手续费',
  'DS202612010000000001|020001040157000712612010000001|2026-12-01 09:00:01|消费|0.01|0.00',
  'DS202612010000000002|020001040157000712612010000002|2026-12-01 10:30:00|消费|9099.95|0.00',
  'DS202612010000000002|020001040157000712612010000002001|2026-12-01 15:00:00|退货|100.00|0.00',
  `#合计|笔数:3|消费金额:9099.96|退货金额:100.00`,
].join('\r\n') + '\r\n';

describe('the ICBC statement file', () => {
  it('reads GBK with CRLF, payments and refunds, to the cent', () => {
    const st = parseIcbcStatement(iconv.encode(FILE, 'gbk'), '2026-12-01', MER);
    expect(st.lines.map((l) => [l.kind, l.orderNo, l.channelTradeNo, l.amount.toFixed(2), l.fee.toFixed(2)])).toEqual([
      ['payment', 'DS202612010000000001', '020001040157000712612010000001', '0.01', '0.00'],
      ['payment', 'DS202612010000000002', '020001040157000712612010000002', '9099.95', '0.00'],
      ['refund', 'DS202612010000000002', '020001040157000712612010000002001', '100.00', '0.00'],
    ]);
    expect(st.lines[1]!.paidAt.toISOString()).toBe('2026-12-01T02:30:00.000Z');
    // UTF-8 with a BOM reads the same; the writer the sandbox uses gives this very layout.
    expect(parseIcbcStatement(Buffer.from(`\uFEFF${FILE}`, 'utf8'), '2026-12-01', MER).lines).toHaveLength(3);
    const rows = parseIcbcStatement(Buffer.from(FILE), '2026-12-01', MER).lines.map((l) => ({ orderNo: l.orderNo!, icbcNo: l.channelTradeNo, at: l.paidAt, kind: l.kind, amount: l.amount.toFixed(2), fee: l.fee.toFixed(2) }));
    expect(writeIcbcStatement('2026-12-01', MER, rows)).toBe(FILE);
  });

  it('refuses another merchant, another day, a wrong total, an unknown type or an amount in fen, whole', () => {
    const refused = (s: string, day = '2026-12-01') => {
      try {
        parseIcbcStatement(Buffer.from(s), day, MER);
        return null;
      } catch (e) {
        expect(e).toBeInstanceOf(ChannelError);
        return (e as Error).message;
      }
    };
    expect(refused(FILE, '2026-12-02')).toContain('对账日期');
    expect(refused(FILE.replace(`商户编号:${MER}`, '商户编号:020000000000'))).toContain('商户编号');
    expect(refused(FILE.replace('消费金额:9099.96', '消费金额:9099.95'))).toContain('合计消费金额');
    expect(refused(FILE.replace('|退货|', '|撤销|'))).toContain('交易类型');
    expect(refused(FILE.replace('|0.01|0.00', '|1|0'))).toContain('两位小数');
    expect(refused(FILE.split('\r\n').slice(0, 4).join('\r\n'))).toContain('合计');
    expect(refused('商户订单号,金额\r\nA,1.00\r\n')).toContain('第一行');
  });
});

describe('reconciling ICBC from the uploaded file', () => {
  it('restores the payment whose notifications were lost, matches the rest and the refund to the cent; the ledger check reads the upload', async () => {
    await w.clearFaults();
    const paidOk: string[] = [];
    const payers = [];
    for (const due of ['0.01', '249.99']) {
      const p = await w.payer('代收', due);
      payers.push(p);
      const no = await w.order(p);
      await w.payAt('icbc', await w.submit(p, no, 'icbc'));
      await w.payment.result(p.personId, no);
      expect(await w.statusOf(no)).toBe('paid');
      paidOk.push(no);
    }
    await w.fault('icbc', 'lose', 1000);
    const lost = await w.payer('代收', '9099.95');
    const lostNo = await w.order(lost);
    await w.payAt('icbc', await w.submit(lost, lostNo, 'icbc'));
    expect(await w.statusOf(lostNo)).toBe('paying');
    // A refund of 100.00 of the 249.99, through the channel, answered.
    const fin = await f.person(w.knex, { role: 'finance_admin', password: PASSWORD });
    const actor = { accountId: fin.accountId, personId: fin.personId, name: fin.name, ip: '127.0.0.1' };
    const refunded = await w.m.refunds.refund(actor, null, { personId: payers[1]!.personId, billId: payers[1]!.billId, amount: new Decimal('100.00'), mode: 'channel', reason: '原路退回' });
    expect(refunded.status).toBe('succeeded');

    const day = businessDate();
    const file = await w.icbcFile(day);
    const out = await w.m.service.reconcileFile('icbc', day, file);
    expect(out.status).toBe('done');
    expect(out.restored).toBe(1);
    // The only difference is the restored payment: the two others and the refund match.
    expect(out.differences.map((d) => [d.kind, d.action, d.orderNo, d.channelAmount?.toFixed(2)])).toEqual([['paid_not_credited', 'restored', lostNo, '9099.95']]);
    expect(out.matched).toBe(3);
    expect(await w.statusOf(lostNo)).toBe('paid');
    expect(await w.creditsOf(lostNo)).toEqual({ entries: 1, receipts: 1 });
    const run = await w.knex('reconcile_runs').where({ id: out.runId }).first('trigger', 'statement_lines', 'statement_total');
    expect(run).toEqual({ trigger: 'upload', statement_lines: out.lines, statement_total: expect.any(String) });
    const mine = [...paidOk, lostNo];
    const sum = (await w.knex('payment_attempts as a').join('orders as o', 'o.id', 'a.order_id').whereIn('o.order_no', mine).sum<{ s: string }[]>('a.amount as s'))[0]!.s;
    expect(new Decimal(sum).toFixed(2)).toBe('9349.95');

    // The production ledger check (CLI check-ledger) reads the uploaded file back for the day.
    const repo = ledgerCheckRepo(w.knex);
    const diffs = [...(await checkLedger(repo)), ...(await checkChannelStatements(repo, w.m.statements, ['icbc'], [day]))];
    expect(diffs).toEqual([]);
    expect(await checkChannelStatements(repo, w.m.statements, ['icbc'], ['2020-01-01'])).toEqual([{ rule: 'channel-statement', ref: 'icbc 2020-01-01', detail: expect.stringContaining('not uploaded') }]);
    // A second upload of the same file finds everything matched; nothing is credited twice.
    const again = await w.m.service.reconcileFile('icbc', day, file);
    expect(again.restored).toBe(0);
    expect(await w.creditsOf(lostNo)).toEqual({ entries: 1, receipts: 1 });
  });

  it('the daily job does not try to download ICBC statements', async () => {
    const before = await w.knex('reconcile_runs').where({ channel: 'icbc' }).count<{ n: string }[]>('* as n');
    const runs = await w.m.service.reconcileDue(businessDate());
    expect(runs.map((r) => r.channel)).not.toContain('icbc');
    expect(await w.knex('reconcile_runs').where({ channel: 'icbc' }).count<{ n: string }[]>('* as n')).toEqual(before);
  });
});

describe('对账 page: 上传对账文件 (中国工商银行)', () => {
  it('a good file reconciles and is audited; a bad file or bad input re-renders with a Chinese message and writes nothing; finance only', async () => {
    const fin = await f.person(w.knex, { role: 'finance_admin', password: PASSWORD });
    const c = await signedIn(w, fin.number);
    const page = await c.get('/console/reconcile');
    expect(page.status).toBe(200);
    expect(text(page.text)).toContain('上传对账文件（中国工商银行）');
    const token = page.text.match(/name="_csrf" value="([^"]+)"/)![1]!;
    const day = businessDate();
    const runs = () => w.knex('reconcile_runs').count<{ n: string }[]>('* as n').then((r) => Number(r[0]!.n));
    const audits = () => w.knex('audit_log').where({ action: 'reconcile.upload' }).count<{ n: string }[]>('* as n').then((r) => Number(r[0]!.n));
    const upload = (fields: Record<string, string>, file?: Buffer) => {
      let q = c.agent.post('/console/reconcile/upload').set('Accept', 'text/html').field('_csrf', token);
      for (const [k, v] of Object.entries(fields)) q = q.field(k, v);
      return file ? q.attach('file', file, 'ICBC.txt') : q;
    };
    const [runs0, audits0] = [await runs(), await audits()];

    const wrongDay = await upload({ channel: 'icbc', day: '2020-01-01' }, await w.icbcFile(day));
    expect(wrongDay.status).toBe(400);
    expect(text(wrongDay.text)).toContain('对账日期 ' + day.replace(/-/g, '') + ' 与所选日期 2020-01-01 不符');
    expect(wrongDay.text).toContain('value="2020-01-01"');
    const noFile = await upload({ channel: 'icbc', day });
    expect(noFile.status).toBe(400);
    expect(text(noFile.text)).toContain('请选择对账文件');
    const badDay = await upload({ channel: 'icbc', day: '2099-01-01' }, await w.icbcFile(day));
    expect(text(badDay.text)).toContain('日期无效或在今天之后');
    const notUpload = await upload({ channel: 'wechat', day }, await w.icbcFile(day));
    expect(text(notUpload.text)).toContain('无需上传');
    const garbage = await upload({ channel: 'icbc', day }, Buffer.from('商户订单号,金额\r\nA,1.00\r\n'));
    expect(garbage.status).toBe(400);
    expect(text(garbage.text)).toContain('工银e支付对账文件格式不符');
    expect([await runs(), await audits()]).toEqual([runs0, audits0]);

    const ok = await upload({ channel: 'icbc', day }, await w.icbcFile(day));
    expect(ok.status).toBe(303);
    const runId = /run=(\d+)/.exec(ok.headers.location as string)![1]!;
    expect(await w.knex('reconcile_runs').where({ id: runId }).first('channel', 'status', 'trigger')).toEqual({ channel: 'icbc', status: 'done', trigger: 'upload' });
    const audit = await w.knex('audit_log').where({ action: 'reconcile.upload' }).orderBy('id', 'desc').first('actor_account_id', 'detail');
    expect(audit.actor_account_id).toBe(fin.accountId);
    expect(audit.detail).toMatchObject({ channel: 'icbc', day, runId, status: 'done', file: 'ICBC.txt', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    // The 下载对账单 form does not take ICBC: its statements come by file.
    const run = await c.post('/console/reconcile/run', { channel: 'icbc', day });
    expect(run.status).toBe(400);
    expect(text(run.text)).toContain('请在下方上传对账文件');

    // Not finance: refused before anything is read.
    const student = await f.person(w.knex, { password: PASSWORD });
    const s = await signedIn(w, student.number);
    await s.get('/');
    const denied = await s.agent.post('/console/reconcile/upload').set('Accept', 'text/html').field('_csrf', token).field('channel', 'icbc').field('day', day).attach('file', await w.icbcFile(day), 'x.txt');
    expect([403, 302, 303]).toContain(denied.status);
    expect(await runs()).toBe(runs0 + 1);
  });
});
