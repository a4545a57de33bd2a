// 中国工商银行 工银e支付 through the real platform: the wizard's 确定缴费 auto-posts the signed form
// to the bank page of 图22 (手机号码, 卡(账)号后六位, 下一步, 确认支付), signed notifications are
// credited by /pay/notify/icbc and answered with the signed return_code 0. The sandbox
// speaks ICBC as its SDK does (src/gateways/icbc/codec.ts): SHA1 answers and notifications,
// merrefund/refundqry V1 fields only, no close, statements as a file.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { Decimal } from '../../src/domain/money';
import { dashedDateTime, encodeForm, nonce } from '../../src/gateways/common/crypto';
import { EXPIRY_GRACE_MS } from '../../src/gateways/common/expiry';
import { icbcAdapter } from '../../src/gateways/icbc/adapter';
import { API, sign, signedNotifyAnswer, verifyAnswer } from '../../src/gateways/icbc/codec';
import { createGatewayRegistry } from '../../src/gateways/registry';
import { text } from '../helpers/client';
import { waitForStatus } from '../helpers/world';
import { channelOrderOf, doneWhen, platformWorld, protocolCases } from './channel-harness';

const w = await platformWorld('icbc');
const adapter = createGatewayRegistry(w.env.config).get('icbc')!;
const cfg = w.env.config.channels.icbc;
const sim = w.env.sandbox.icbc;

/** The day's file as ICBC's file service hands it to finance (the sandbox serves it on loopback). */
async function icbcFile(sandboxUrl: string, day: string): Promise<Buffer> {
  const r = await fetch(`${sandboxUrl}/icbc/statement-file?day=${day}`);
  expect(r.status).toBe(200);
  return Buffer.from(await r.arrayBuffer());
}

describe('中国工商银行 through the wizard over HTTP', () => {
  it('确定缴费 gives the auto-posted signed form; the 图22 page pays; the result page shows 支付成功', async () => {
    const s = await w.student('249.99');
    const { c, orderNo, action } = await w.wizard(s);
    expect(action.kind).toBe('form');
    expect((action as { fields: Record<string, string> }).fields.sign_type).toBe(cfg.signType);
    const { checkout, done } = await w.payAt(action);
    expect(text(checkout)).toContain('商户名称: 兰州理工大学');
    expect(text(checkout)).toContain('金额: RMB 249.99');
    expect(done).toContain('支付成功');
    await waitForStatus(w.knex, orderNo, 'paid');
    expect(text((await c.get(`/pay/orders/${orderNo}/result`)).text)).toContain('支付成功');
    // The notification came with sign_type=RSA and was answered in the app's own sign type.
    const body = (await w.events({ order_no: orderNo, kind: 'notify' }))[0]!.body as string;
    expect(new URLSearchParams(body).get('sign_type')).toBe('RSA');
    expect(((await w.notifications(orderNo)).at(-1) as unknown as { answer: string }).answer).toContain(`"sign_type":"${cfg.signType}"`);
  });
});

describe('中国工商银行: the gateway is as strict as ICBC', () => {
  const call = async (path: string, biz: object, signType = cfg.signType) => {
    const f = sign(path, { app_id: cfg.appId, msg_id: nonce(8), format: 'json', charset: 'UTF-8', sign_type: signType, timestamp: dashedDateTime(new Date()), biz_content: JSON.stringify(biz) }, sim.merchantKeys.privateKey);
    const r = await fetch(`${cfg.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: encodeForm(f) });
    const v = verifyAnswer(await r.text(), sim.gatewayKeys.publicKey);
    expect(v.ok).toBe(true);
    return (v as { biz: Record<string, unknown> }).biz;
  };

  it('refuses a request signed in another sign type than the app registered', async () => {
    const other = cfg.signType === 'RSA2' ? 'RSA' : 'RSA2';
    expect((await call(API.query, { mer_id: cfg.merId, out_trade_no: 'XF0' }, other)).return_code).toBe(400017);
    expect((await call(API.query, { mer_id: cfg.merId, out_trade_no: 'XF0' })).return_code).toBe(96111);
  });

  it('merrefund and refundqry take only their V1 fields: the QR-code reject API\'s reject_no / reject_amt / cur_type are refused', async () => {
    const s = await w.student('10.00');
    const orderNo = await w.order(s);
    await w.payAt(await w.submit(s, orderNo));
    await waitForStatus(w.knex, orderNo, 'paid');
    const old = await call(API.refund, { mer_id: cfg.merId, out_trade_no: orderNo, reject_no: 'TF1', reject_amt: '100', cur_type: '001', icbc_appid: cfg.appId });
    expect(old.return_code).toBe(400001);
    expect((await call(API.refundQuery, { mer_id: cfg.merId, out_trade_no: orderNo, reject_no: 'TF1' })).return_code).toBe(400001);
    expect(sim.trades.get(orderNo)!.refundedFen).toBe(0n);
    const ok = await call(API.refund, { mer_id: cfg.merId, out_trade_no: orderNo, outtrx_serial_no: 'TF2', ret_total_amt: '100', trnsc_ccy: '1', icbc_appid: cfg.appId });
    expect(ok).toMatchObject({ return_code: 0, outtrx_serial_no: 'TF2', reject_amt: '100', real_reject_amt: '100' });
    expect(await call(API.refundQuery, { mer_id: cfg.merId, out_trade_no: orderNo, outtrx_serial_no: 'TF2' })).toMatchObject({ return_code: 0, pay_status: '0', reject_amt: '100', intrx_serial_no: ok.intrx_serial_no });
  });

  it('there is no close: an unpaid attempt is open until its expiry, closed after it, paid when paid', async () => {
    const s = await w.student('20.00');
    const orderNo = await w.order(s);
    await w.submit(s, orderNo);
    const order = await channelOrderOf(w, orderNo);
    expect(await adapter.close(order)).toEqual({ status: 'open', until: order.expiresAt });
    // Just past the expiry the page may still be being paid (clocks differ): closed only after the grace.
    const justPast = new Date(Date.now() - 1000);
    expect(await adapter.close({ ...order, expiresAt: justPast })).toEqual({ status: 'open', until: justPast });
    expect(await adapter.close({ ...order, expiresAt: new Date(Date.now() - EXPIRY_GRACE_MS - 1000) })).toEqual({ status: 'closed' });
    expect((await fetch(`${cfg.url}/api/cardbusiness/aggregatepay/b2c/online/orderclose/V1`, { method: 'POST' })).status).toBe(404);
  });

  it('a notification is checked over the configured notify URL\'s path, not the path a proxy forwards it on', async () => {
    // ICBC posts to https://pay.example.edu.cn/campus/pay/notify/icbc; the proxy strips /campus.
    const got: string[] = [];
    // The capture answers as our platform would (signed return_code 0), so the sandbox stops there.
    const ack = signedNotifyAnswer({ return_code: 0, return_msg: 'success', msg_id: 'x' }, sim.merchantKeys.privateKey, cfg.signType);
    const capture = createServer((req, res) => {
      let b = '';
      req.on('data', (c: Buffer) => { b += c.toString('utf8'); });
      req.on('end', () => { got.push(b); res.writeHead(200, { 'content-type': 'application/json' }).end(ack); });
    });
    await new Promise<void>((r) => capture.listen(0, '127.0.0.1', r));
    const port = (capture.address() as AddressInfo).port;
    const s = await w.student('30.00');
    const orderNo = await w.order(s);
    await w.payAt(await w.submit(s, orderNo));
    await waitForStatus(w.knex, orderNo, 'paid');
    // The same payment notified to https://…/campus/pay/notify/icbc, as ICBC would for a school
    // whose PUBLIC_URL has the /campus prefix.
    sim.notify({ ...sim.trades.get(orderNo)!, notifyUrl: `http://127.0.0.1:${port}/campus/pay/notify/icbc` });
    await w.until(async () => got.length > 0);
    capture.close();
    const behindProxy = icbcAdapter({ ...cfg, notifyPath: '/campus/pay/notify/icbc' });
    const raw = { method: 'POST', path: '/pay/notify/icbc', headers: {}, rawBody: got[0]! };
    const ok = behindProxy.parseNotification(raw);
    expect(ok.verified && ok.event.kind === 'paid' && ok.event.amount.toFixed(2)).toBe('30.00');
    // The incoming path is not what ICBC signed: an adapter that trusted it would refuse ICBC.
    expect(icbcAdapter({ ...cfg, notifyPath: '/pay/notify/icbc' }).parseNotification(raw)).toMatchObject({ verified: false, reason: 'signature' });
  });

  it('statements come by file: downloadStatement says so; the sandbox\'s file reads to the cent', async () => {
    await expect(adapter.downloadStatement('2026-01-01')).rejects.toMatchObject({ message: expect.stringContaining('上传') });
    const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
    const st = adapter.parseStatement!(day, await icbcFile(w.env.sandboxUrl, day));
    expect(st.lines.length).toBeGreaterThan(0);
    expect(st.lines.every((l) => l.amount instanceof Decimal)).toBe(true);
  });
});

doneWhen(w, '中国工商银行');
protocolCases(w, '中国工商银行', {
  statementMark: '#工银e支付对账单',
  statement: async (day) => adapter.parseStatement!(day, await icbcFile(w.env.sandboxUrl, day)),
});
