// Alipay as it really behaves, through the platform and the sandbox over HTTP:
//  - refunds whose answer is ACQ.SYSTEM_ERROR (refunded or not), a timeout, or lost: each ends in
//    exactly one refund at Alipay and one in the books, settled by the refund-query job with
//    alipay.trade.fastpay.refund.query and, where Alipay never took it, a resubmission under the
//    same out_request_no;
//  - trade.close of a precreated QR nobody scanned (ACQ.TRADE_NOT_EXIST): open until its expiry,
//    still payable; once scanned, close closes; paid, close says paid;
//  - the day's bill downloaded as Alipay serves it (GBK names, no UTF-8 flag) and reconciled to the fen;
//  - 公钥证书 mode with a certificate chain issued here (node-forge).
import path from 'node:path';
import iconv from 'iconv-lite';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { businessDate } from '../../src/domain/business-date';
import { Decimal } from '../../src/domain/money';
import { alipayAdapter } from '../../src/gateways/alipay/adapter';
import { signNotification, signedRequest } from '../../src/gateways/alipay/codec';
import { encodeForm } from '../../src/gateways/common/crypto';
import { createGatewayRegistry } from '../../src/gateways/registry';
import type { ChannelOrder, PaymentAction } from '../../src/gateways/types';
import { auditRepo } from '../../src/modules/audit/repo';
import type { Actor } from '../../src/modules/console/context';
import { RefundUncertainError, refundsModule } from '../../src/modules/refunds';
import { issueCert, rsaPem, type CertAttr } from '../helpers/certs';
import { checkLedger } from '../../src/modules/reconcile/ledger-check';
import { ledgerCheckRepo } from '../../src/modules/reconcile/ledger-check-repo';
import { armFault, count, form, payEnv, refundQueryJob, waitForStatus } from '../helpers/world';
import { testServices } from '../helpers/services';
import { testDatabase } from '../helpers/test-db';
import * as f from '../factories';
import { tempFiles } from '../helpers/temp-files';

const db = await testDatabase();
const env = await payEnv(db, { CHANNEL_TIMEOUT_MS: '1500' });
const knex = db.knex;
const base = createGatewayRegistry(env.config);
// The wizard does not offer Alipay for 代收; the channel's own tests let 代收 orders through it.
const registry = { ...base, serves: (id: string, c: '财政' | '代收') => base.serves(id, c) || (c === '代收' && id === 'alipay') };
const services = testServices({ config: env.config, db, registry });
const payment = services.payment;
const sim = env.sandbox.alipay;

const fin = await f.person(knex, { role: 'finance_admin', password: 'Fin@2026pass' });
const actor: Actor = { accountId: fin.accountId, personId: fin.personId, name: fin.name, ip: '127.0.0.1' };
const refunds = refundsModule({ db: knex, audit: auditRepo(knex), gateways: base, publicUrl: env.config.publicUrl });
const refundJob = () => refundQueryJob(env.config, knex);
const fault = (kind: string, extra: object = {}) => armFault(env, 'alipay', kind, 1, extra);
const post = (url: string) => fetch(url, form({}, { follow: true }));

/** A 代收 bill paid through Alipay: the QR scanned (checkout opened) and 确认支付. */
async function paid(due: string) {
  const p = await f.payerWithBill(knex, '代收', due);
  const { billId } = p;
  const o = await payment.confirmOrder(p.personId, { category: '代收', periods: [p.periodId], lines: [{ billId, amount: due }] });
  const r = await payment.submitToChannel(p.personId, o.orderNo, 'alipay');
  if (r.kind !== 'action') throw new Error(JSON.stringify(r));
  const qr = ((r as { action: PaymentAction }).action as { content: string }).content;
  expect((await fetch(qr)).status).toBe(200);
  expect((await post(`${qr}/confirm`)).status).toBe(200);
  await payment.result(p.personId, o.orderNo);
  await waitForStatus(knex, o.orderNo, 'paid');
  return { personId: p.personId, billId, orderNo: o.orderNo };
}

/** After the job: one refund at Alipay, one ledger entry, the bill and order refunded by `amount`. */
async function exactlyOnce(p: { billId: number; orderNo: string }, refundNo: string, amount: string, paidAmount: string) {
  const trade = sim.trades.get(p.orderNo)!;
  expect(trade.refunds.map((r) => [r.refundNo, String(r.fen)])).toEqual([[refundNo, new Decimal(amount).times(100).toFixed(0)]]);
  expect(await knex('refunds').where({ refund_no: refundNo }).first('status', 'amount')).toEqual({ status: 'succeeded', amount });
  expect(await count(knex('bill_ledger').where({ bill_id: p.billId, kind: 'refund' }))).toBe(1);
  expect(await knex('bills').where({ id: p.billId }).first('paid', 'refunded')).toEqual({ paid: paidAmount, refunded: amount });
}

// First: the day's bill holds only this file's own payments.
describe('支付宝 bill as Alipay serves it, reconciled to the fen', () => {
  it('the downloaded archive names its files in GBK without the UTF-8 flag; reconciliation matches every payment and refund', async () => {
    const a = await paid('0.01');
    const b = await paid('99999999.99');
    const day = businessDate();
    const bill = await (base.get('alipay')!).downloadStatement(day);
    expect(bill.raw).toContain('#支付宝业务明细查询');
    for (const x of [a, b]) expect(bill.lines.filter((l) => l.orderNo === x.orderNo && l.kind === 'payment').map((l) => l.amount.toFixed(2))).toHaveLength(1);
    expect(bill.lines.find((l) => l.orderNo === b.orderNo)!.amount.toFixed(2)).toBe('99999999.99');
    // The zip itself, fetched as the adapter fetches it: GBK names, general purpose bit 11 clear.
    const req = signedRequest({ appId: env.config.channels.alipay.appId, method: 'alipay.data.dataservice.bill.downloadurl.query', biz: { bill_type: 'trade', bill_date: day }, privateKeyPem: sim.merchantKeys.privateKey });
    const answer = await (await fetch(`${env.config.channels.alipay.url}/gateway.do`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: encodeForm(req) })).json() as Record<string, { bill_download_url: string }>;
    const zip = Buffer.from(await (await fetch(answer.alipay_data_dataservice_bill_downloadurl_query_response!.bill_download_url)).arrayBuffer());
    expect(zip.readUInt16LE(6) & 0x0800).toBe(0);
    const name = zip.subarray(30, 30 + zip.readUInt16LE(26));
    expect(name.equals(iconv.encode(`${env.config.channels.alipay.sellerId}0156_${day.replace(/-/g, '')}_业务明细.csv`, 'gbk'))).toBe(true);
    const run = await services.reconcile.reconcile('alipay', day, 'cli');
    expect(run.status, run.error).toBe('done');
    expect(run.differences).toEqual([]);
    expect(run.matched).toBe(run.lines);
    const sum = (k: string) => bill.lines.filter((l) => l.kind === k).reduce((s, l) => s.plus(l.amount), new Decimal(0));
    const booked = await knex('bill_ledger as l').join('orders as o', 'o.id', 'l.order_id').where('o.channel', 'alipay').where('l.kind', 'payment')
      .whereRaw("to_char(o.paid_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD') = ?", [day]).sum<{ s: string }[]>('l.amount as s');
    expect(new Decimal(booked[0]!.s).toFixed(2)).toBe(sum('payment').toFixed(2));
  });
});

describe('支付宝 refunds whose answer is not a clear yes or no end in exactly one refund', () => {
  const cases = [
    { name: 'ACQ.SYSTEM_ERROR, nothing refunded: the query finds nothing, the same out_request_no is sent again', kind: 'refund_system_error', refundedFirst: false, throws: false },
    { name: 'ACQ.SYSTEM_ERROR after Alipay did refund: the query finds it', kind: 'refund_system_error_done', refundedFirst: true, throws: false },
    { name: 'a timeout (Alipay refunded, the answer came too late)', kind: 'refund_timeout', refundedFirst: true, throws: true, extra: { ms: 3000 } },
    { name: 'a lost answer (Alipay refunded, the connection dropped)', kind: 'refund_lost', refundedFirst: true, throws: true },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const p = await paid('249.99');
      await fault(c.kind, c.extra ?? {});
      const req = { personId: p.personId, billId: p.billId, amount: new Decimal('100.00'), mode: 'channel' as const, reason: '退学，原路退回' };
      let refundNo: string;
      if (c.throws) {
        const err = await refunds.refund(actor, null, req).catch((e) => e);
        expect(err).toBeInstanceOf(RefundUncertainError);
        refundNo = (err as RefundUncertainError).refundNo;
      } else {
        // Never "failed": the amount stays reserved, the refund pending.
        const r = await refunds.refund(actor, null, req);
        expect(r.status).toBe('pending');
        refundNo = r.refundNo;
      }
      const trade = sim.trades.get(p.orderNo)!;
      expect(trade.refundedFen).toBe(c.refundedFirst ? 10_000n : 0n);
      expect(await knex('refunds').where({ refund_no: refundNo }).first('status')).toEqual({ status: 'pending' });
      expect(await knex('bills').where({ id: p.billId }).first('refunded')).toEqual({ refunded: '0.00' });
      // The reservation holds: nothing past what is left of the bill can be refunded meanwhile.
      const more = await refunds.refund(actor, null, { ...req, amount: new Decimal('150.00'), mode: 'offline', reason: '再退' }).catch((e) => e);
      expect(more.message).toContain('149.99');

      await refundJob().run();
      await exactlyOnce(p, refundNo, '100.00', '249.99');
      // Again: nothing more at Alipay or in the books.
      await refundJob().run();
      await exactlyOnce(p, refundNo, '100.00', '249.99');
      expect(await checkLedger(ledgerCheckRepo(knex))).toEqual([]);
    });
  }

  it('a definite refusal (more than is left at Alipay) is failed and releases the amount', async () => {
    const p = await paid('80.00');
    const trade = sim.trades.get(p.orderNo)!;
    // Refunded in full at Alipay's merchant portal meanwhile.
    trade.refundedFen = trade.fen;
    trade.refunds.push({ refundNo: 'PORTAL0001', fen: trade.fen, at: new Date() });
    const err = await refunds.refund(actor, null, { personId: p.personId, billId: p.billId, amount: new Decimal('80.00'), mode: 'channel', reason: '全额退回' }).catch((e) => e);
    expect(err.message).toContain('ACQ.REFUND_AMT_NOT_EQUAL_TOTAL');
    expect(await knex('refunds').where({ bill_id: p.billId }).first('status')).toEqual({ status: 'failed' });
  });
});

function channelOrder(expiresAt: Date, total = '249.99'): ChannelOrder {
  const orderNo = `XF${businessDate().replace(/-/g, '').slice(2)}LUT${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}`;
  return {
    orderNo, total: new Decimal(total), category: '代收', createdAt: new Date(), expiresAt, channelOrderId: orderNo,
    payer: { number: '1', name: '张三', mobile: '13800000000' }, lines: [], subject: '兰州理工大学 代收',
    notifyUrl: `${env.appUrl}/pay/notify/alipay`, returnUrl: `${env.appUrl}/transactions`,
  };
}

describe('支付宝 close of a precreated QR', () => {
  const adapter = base.get('alipay')!;

  it('nobody scanned it: ACQ.TRADE_NOT_EXIST, so it is open until the expiry sent with precreate, and still payable', async () => {
    const expiresAt = new Date(Math.floor((Date.now() + 15 * 60_000) / 1000) * 1000);
    const o = channelOrder(expiresAt);
    const created = await adapter.createPayment(o);
    const trade = sim.trades.get(o.orderNo)!;
    // The expiry Alipay honours came with the precreate (time_expire, and timeout_express).
    expect(trade.expireAt?.getTime()).toBe(expiresAt.getTime());
    expect(await adapter.query(o)).toEqual({ status: 'not_found' });
    expect(await adapter.close(o)).toEqual({ status: 'open', until: expiresAt });
    expect(await adapter.close(o)).toEqual({ status: 'open', until: expiresAt });
    // The payer scans it after all and pays: close now says paid, with the payment.
    const qr = (created.action as { content: string }).content;
    expect((await fetch(qr)).status).toBe(200);
    expect((await post(`${qr}/confirm`)).status).toBe(200);
    expect(trade.status).toBe('PAID');
    const r = await adapter.close(o);
    expect(r.status).toBe('paid');
    expect(r.status === 'paid' && r.event.amount.toFixed(2)).toBe('249.99');
  });

  it('scanned and unpaid (WAIT_BUYER_PAY): close closes it, and it can no longer be paid', async () => {
    const o = channelOrder(new Date(Date.now() + 15 * 60_000), '0.01');
    const created = await adapter.createPayment(o);
    const qr = (created.action as { content: string }).content;
    expect((await fetch(qr)).status).toBe(200);
    expect(await adapter.query(o)).toEqual({ status: 'unpaid' });
    expect(await adapter.close(o)).toEqual({ status: 'closed' });
    expect(await adapter.query(o)).toEqual({ status: 'closed' });
    await post(`${qr}/confirm`);
    expect(sim.trades.get(o.orderNo)!.status).toBe('CLOSED');
  });

  it('unscanned and past its expiry: closed, and the QR no longer pays', async () => {
    const o = channelOrder(new Date(Date.now() - 2 * 60_000), '0.01');
    const created = await adapter.createPayment(o);
    expect(await adapter.close(o)).toEqual({ status: 'closed' });
    await post(`${(created.action as { content: string }).content}/confirm`);
    expect(sim.trades.get(o.orderNo)!.status).toBe('CLOSED');
  });
});

describe('支付宝 公钥证书 mode, with a certificate chain issued here', () => {
  const { dir, file } = tempFiles('alipay-certmode-');
  const rsa = rsaPem;
  const issue = issueCert;
  type Attr = CertAttr;
  const rootKey = rsa();
  const oldRootKey = rsa();
  const alipayKey = rsa();
  const appKey = rsa();
  const ROOT: Attr[] = [{ shortName: 'C', value: 'CN' }, { shortName: 'O', value: 'Campus Test CA' }, { shortName: 'CN', value: 'Campus Test Root R1' }];
  const OLD_ROOT: Attr[] = [{ shortName: 'C', value: 'CN' }, { shortName: 'O', value: 'Campus Test CA' }, { shortName: 'CN', value: 'Campus Test Root G1' }];
  const rootPem = issue(ROOT, ROOT, rootKey.publicKey, rootKey.privateKey, '1fcfa18d6a480d11');
  const oldRootPem = issue(OLD_ROOT, OLD_ROOT, oldRootKey.publicKey, oldRootKey.privateKey, '10c7', 'sha1');
  const alipayCert = issue([{ shortName: 'CN', value: '支付宝(中国)网络技术有限公司-2088000000000001' }], ROOT, alipayKey.publicKey, rootKey.privateKey, '20200514e63c2fe0');
  const appCert = issue([{ shortName: 'CN', value: '2088000000000001-2021000000000001' }], ROOT, appKey.publicKey, rootKey.privateKey, '2020051862039d40');
  // Independently of the code under test: md5(issuer from last attribute to first + decimal serial).
  const sn = (dn: string, hex: string) => createHash('md5').update(dn + BigInt(`0x${hex}`).toString(10)).digest('hex');
  const ROOT_DN = 'CN=Campus Test Root R1,O=Campus Test CA,C=CN';
  const expected = { app: sn(ROOT_DN, '2020051862039d40'), alipay: sn(ROOT_DN, '20200514e63c2fe0'), root: `${sn(ROOT_DN, '1fcfa18d6a480d11')}_${sn('CN=Campus Test Root G1,O=Campus Test CA,C=CN', '10c7')}` };

  const cfg = env.config.channels.alipay;
  const certFiles = { appCert: file('appCertPublicKey.crt', appCert), alipayPublicCert: file('alipayCertPublicKey_RSA2.crt', alipayCert), alipayRootCert: file('alipayRootCert.crt', `${rootPem}\n${oldRootPem}`) };
  const certAdapter = alipayAdapter({ ...cfg, privateKeyFile: file('app-private.pem', appKey.privateKey), certFiles });

  it('requests carry app_cert_sn and alipay_root_cert_sn as the SDK computes them; answers carry alipay_cert_sn and verify with the certificate\'s key', async () => {
    sim.setCertMode({ appCert, alipayCert, alipayCertPrivateKey: alipayKey.privateKey, rootCert: `${rootPem}\n${oldRootPem}` });
    try {
      const page = certAdapter.pagePay(channelOrder(new Date(Date.now() + 15 * 60_000)));
      expect(page.kind === 'form' && [page.fields.app_cert_sn, page.fields.alipay_root_cert_sn]).toEqual([expected.app, expected.root]);
      const o = channelOrder(new Date(Date.now() + 15 * 60_000));
      const created = await certAdapter.createPayment(o);
      expect(await certAdapter.query(o)).toEqual({ status: 'not_found' });
      expect((await fetch((created.action as { content: string }).content)).status).toBe(200);
      expect(await certAdapter.query(o)).toEqual({ status: 'unpaid' });
      expect(await certAdapter.close(o)).toEqual({ status: 'closed' });

      // An app certificate other than the one Alipay holds for the app: refused by the gateway.
      const otherApp = issue([{ shortName: 'CN', value: '2088000000000001-2021000000000001' }], ROOT, appKey.publicKey, rootKey.privateKey, '2020051862039d41');
      const wrongApp = alipayAdapter({ ...cfg, privateKeyFile: path.join(dir, 'app-private.pem'), certFiles: { ...certFiles, appCert: file('other-app.crt', otherApp) } });
      await expect(wrongApp.query(o)).rejects.toThrow(/isv.cert-sn-not-match/);
      // The app in plain public-key mode cannot verify what a certificate-mode gateway signs.
      await expect(base.get('alipay')!.query(o)).rejects.toMatchObject({ uncertain: true });
      // An adapter holding another Alipay certificate (renewed at Alipay) refuses the answers.
      const renewed = issue([{ shortName: 'CN', value: '支付宝(中国)网络技术有限公司-2088000000000001' }], ROOT, rsa().publicKey, rootKey.privateKey, '20210514e63c2fe0');
      const stale = alipayAdapter({ ...cfg, privateKeyFile: path.join(dir, 'app-private.pem'), certFiles: { ...certFiles, alipayPublicCert: file('stale.crt', renewed) } });
      await expect(stale.query(o)).rejects.toMatchObject({ uncertain: true, message: expect.stringContaining(expected.alipay) });

      // A notification signed with the key of Alipay's certificate verifies; a changed one does not.
      const n = signNotification({ app_id: cfg.appId, seller_id: cfg.sellerId, out_trade_no: o.orderNo, trade_no: '2026112722001400001000000077', trade_status: 'TRADE_SUCCESS', total_amount: '249.99', gmt_payment: '2026-11-27 10:00:00' }, alipayKey.privateKey);
      const raw = (fields: Record<string, string>) => ({ method: 'POST', path: '/pay/notify/alipay', headers: {}, rawBody: encodeForm(fields) });
      expect(certAdapter.parseNotification(raw(n)).verified).toBe(true);
      expect(certAdapter.parseNotification(raw({ ...n, total_amount: '249.98' }))).toMatchObject({ verified: false, reason: 'signature' });
    } finally {
      sim.setCertMode(null);
    }
  });
});
