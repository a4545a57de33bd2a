// The provincial non-tax platform, simulated (the other side of src/gateways/nontax/codec.ts):
// the gateway API (bill.push / query / close / statement), the cashier page of 图13 where the
// payer chooses 支付宝 / 微信 / 银联 and presses 确认支付 or 取消支付, and the signed bill.notify
// pushed to the school until it answers SUCCESS. State is in memory: it is a simulator.
//
// 确认支付 does not pay by itself: as on the real platform, it opens a payment for the same
// amount and subject at the chosen channel's simulator, payee 甘肃省财政厅 (the fiscal merchant,
// not the school), and sends the payer to that checkout (支付宝's QR page, 微信's phone page,
// 银联's bank page). When the payer confirms there, the channel calls back (../sub-payment.ts),
// and only then is the bill paid — recording the method — and bill.notify sent to the school.
// 取消支付 at the channel comes back to this cashier.
//
// Built from the simulators' kit (../kit): the bills are a trade book keyed by 缴款码, the
// cashier's routes are the kit's checkout routes, and the notification goes through the shared
// control (POST /_control/faults with channel "nontax": hold, lose, delay, duplicate, tamper,
// wrong_amount, wrong_merchant, reorder, query_timeout, query_error).
// The gateway API: ./gateway.ts; the bill's shape: ./bill.ts.
import { randomInt } from 'node:crypto';
import path from 'node:path';
import express, { Router, type Request, type Response } from 'express';
import type { Config } from '../../config';
import { businessDate, businessDateTime } from '../../domain/business-date';
import { Decimal } from '../../domain/money';
import { isPaymentCode } from '../../domain/payment-code';
import { ACK_SUCCESS, encodeForm, signedEnvelope, signedResponse, type Fields } from '../../gateways/nontax/codec';
import type { Logger } from '../../logger';
import { ensureKeyPair, type KeyPair } from '../keys';
import {
  FISCAL_PAYEE, checkoutRoutes, expireIfDue, loopbackOnly, notifyPaid, tradeBook,
  type Mutation, type SandboxControl, type SubPaymentChannel,
} from '../kit';
import { PAY_METHODS, type Merchant, type PayMethod, type SimBill } from './bill';
import { gatewayRoutes } from './gateway';

export { PAY_METHODS, type SimBill } from './bill';

/** Seconds between notification attempts until the school acknowledges; scaled by SANDBOX_TIME_SCALE. */
export const NOTIFY_SCHEDULE_S = [0, 15, 60, 180, 600, 1800, 3600, 7200, 21600, 54000];

export function createNontaxSimulator(opts: { config: Config; control: SandboxControl; logger?: Logger; keyDir?: string }) {
  const { config, control } = opts;
  const keyDir = opts.keyDir ?? path.join(config.dataDir, 'sandbox');
  const platform: KeyPair = ensureKeyPair(keyDir, 'nontax-platform');
  const merchantKeys: KeyPair = ensureKeyPair(keyDir, 'nontax-merchant');
  const merchants = new Map<string, Merchant>([
    [config.nontax.merchantId, { id: config.nontax.merchantId, name: config.schoolName, publicKey: merchantKeys.publicKey }],
  ]);
  /** Closes the bill's open channel payment first: if the payer got there before, it is paid. */
  const expireBill = (b: SimBill, now: Date) => {
    if (b.status === 'UNPAID' && b.expireAt && b.expireAt <= now) {
      closeSub(b);
      expireIfDue(b, now);
    }
  };
  const book = tradeBook<SimBill>({ key: (b) => b.payCode, expire: expireBill });
  const bills = book.trades;
  const byOutNo = new Map<string, string>();
  // Seconds since the epoch as the first serial: a restarted sandbox never reissues a code.
  let serial = Math.floor(Date.now() / 1000);
  const log = opts.logger;
  /** The channel simulators behind 支付宝 / 微信 / 银联, and where each is mounted in the sandbox. */
  const channels = new Map<PayMethod, { mount: string; channel: SubPaymentChannel }>();

  const paidFields = (b: SimBill) => ({
    pay_code: b.payCode, out_bill_no: b.outBillNo, amount: b.amount, status: b.status,
    ...(b.status === 'PAID' ? { trade_no: b.tradeNo, paid_time: businessDateTime(b.paidAt!), pay_channel: b.payMethod } : {}),
  });

  const respond = (res: express.Response, response: Record<string, unknown>) => res.json(signedResponse(response, platform.privateKey));

  /** The channel payment's subject: what the school pushed as 备注, else the item names. */
  const subjectOf = (b: SimBill) => b.remark || b.items.map((i) => i.item_name).join('、') || '非税收入';

  /** Closes the bill's open channel payment, if any; true when the payer had paid it meanwhile. */
  function closeSub(b: SimBill): boolean {
    return b.sub?.payment.close() === 'paid';
  }

  /** The payer has paid at the channel: the bill is paid, and the school is told. */
  function markPaid(b: SimBill, method: PayMethod, channelTradeNo?: string) {
    // CLOSED here would be a late payment: the school is told all the same (it credits and flags).
    if (b.status === 'PAID') return;
    const at = new Date();
    book.markPaid(b, `NT${businessDateTime(at).replace(/\D/g, '')}${String(randomInt(0, 1e8)).padStart(8, '0')}`, at);
    b.payMethod = method;
    b.channelTradeNo = channelTradeNo;
    notifyPaid(control, 'nontax', b, () => notify(b));
  }

  /** bill.notify as signed; a fault's mutation is applied as the real network would (or a forger). */
  function notifyBody(b: SimBill, m: Mutation): Fields {
    const biz: Record<string, unknown> = { ...paidFields(b) };
    let merchantId = b.merchantId;
    if (m === 'wrong_amount') biz.amount = new Decimal(b.amount).plus('0.01').toFixed(2);
    if (m === 'wrong_merchant') merchantId = 'OTHER000001';
    const fields = signedEnvelope({ merchantId, method: 'bill.notify', biz, privateKeyPem: platform.privateKey });
    if (m === 'tamper') fields.biz_content = fields.biz_content!.replace(`"amount":"${b.amount}"`, `"amount":"${new Decimal(b.amount).plus(1).toFixed(2)}"`);
    return fields;
  }

  const post = async (b: SimBill, m: Mutation) => {
    const r = await fetch(b.notifyUrl, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body: encodeForm(notifyBody(b, m)), signal: AbortSignal.timeout(10_000),
    });
    return { status: r.status, text: await r.text() };
  };
  const isAck = (status: number, text: string) => status === 200 && text.trim() === ACK_SUCCESS;

  /** Notifies now, then on the schedule until acknowledged, through the shared control. */
  function notify(b: SimBill) {
    control.deliver({
      channel: 'nontax', orderNo: b.outBillNo, scheduleS: NOTIFY_SCHEDULE_S, isAck, send: (m) => post(b, m), cancelled: () => b.acked,
      onAttempt: (r) => {
        b.notifyAttempts += 1;
        if (r.acked) b.acked = true;
        log?.debug({ payCode: b.payCode, attempt: r.attempt, acked: r.acked }, 'nontax notify');
      },
    });
  }

  const gateway = gatewayRoutes({
    control, areaCode: config.nontax.areaCode, merchants, book, byOutNo, nextSerial: () => ++serial, respond, paidFields, notify, closeSub,
  });

  // The cashier (图13): what the payer sees after 确定缴费. 确认支付 posts to …/pay with the chosen
  // channel, 取消支付 to …/cancel (back to the school).
  const billFor = (req: Request) => {
    const code = String(req.params.code ?? '');
    return isPaymentCode(code) ? book.find(code) : undefined;
  };
  const unknownCode = (_req: Request, res: Response) => res.status(404).render('sandbox/nontax-message', { title: '缴款码不存在', message: '缴款码不存在或已失效', back: null });
  const showCashier = (res: Response, b: SimBill, error?: string) => res.render('sandbox/nontax-cashier', {
    title: '非税收入网上缴款', bill: b, unit: merchants.get(b.merchantId)?.name ?? '', day: businessDate(b.createdAt), methods: PAY_METHODS, ...(error ? { error } : {}),
  });
  const cashier = checkoutRoutes<SimBill>({
    path: '/cashier/:code',
    find: billFor,
    notFound: unknownCode,
    render: (_req, res, b) => showCashier(res, b),
    actions: { confirm: 'pay' },
    confirm(req, res, b) {
      const method = String((req.body as Record<string, unknown>).pay_channel ?? '');
      if (!(method in PAY_METHODS)) return showCashier(res.status(400), b, '请选择支付方式');
      if (b.status === 'CLOSED') return res.status(409).render('sandbox/nontax-message', { title: '缴款码已关闭', message: '该缴款码已关闭，请返回重新下单', back: b.returnUrl });
      if (b.status === 'PAID') return res.redirect(303, b.returnUrl);
      const chosen = method as PayMethod;
      const at = channels.get(chosen);
      if (!at) return res.status(503).render('sandbox/nontax-message', { title: '支付渠道暂不可用', message: `${PAY_METHODS[chosen]}暂不可用，请选择其他支付方式`, back: null });
      const origin = `${req.protocol}://${req.get('host')}`;
      // The same channel again (back from its checkout, or a reload): the same payment there.
      if (b.sub?.method === chosen && b.sub.payment.state() === 'open') return res.redirect(303, b.sub.url);
      // Another channel: the one opened before is closed first, so the payer cannot pay twice.
      if (closeSub(b) || b.status !== 'UNPAID') return res.redirect(303, b.returnUrl);
      b.subCount = (b.subCount ?? 0) + 1;
      const orderNo = `${b.payCode}${String(b.subCount).padStart(2, '0')}`;
      const cashierUrl = `${origin}${req.baseUrl}/cashier/${b.payCode}`;
      const payment = at.channel.openSubPayment({
        orderNo, fen: b.fen, subject: subjectOf(b), payee: FISCAL_PAYEE, expireAt: b.expireAt,
        returnUrl: `${cashierUrl}/return`, cancelUrl: cashierUrl,
        onPaid: (paid) => {
          if (b.sub?.orderNo !== orderNo) return log?.warn({ payCode: b.payCode, orderNo }, 'nontax: a closed channel payment reported paid');
          markPaid(b, chosen, paid.tradeNo);
        },
      });
      b.sub = { method: chosen, orderNo, url: `${origin}${at.mount}${payment.checkoutPath}`, payment };
      res.redirect(303, b.sub.url);
    },
    cancel: (_req, res, b) => res.redirect(303, b.returnUrl),
  });
  // Where the channel's 返回商户 lands: on to the school once paid, else back to the cashier.
  cashier.get('/cashier/:code/return', (req, res) => {
    const b = billFor(req);
    if (!b) return unknownCode(req, res);
    res.redirect(303, b.status === 'PAID' ? b.returnUrl : `${req.baseUrl}/cashier/${b.payCode}`);
  });

  // Loopback-only inspection for tests and demos (faults are armed through the shared control,
  // POST /_control/faults with channel "nontax"): send a paid bill's notification once more, now,
  // without faults; read a bill.
  const inspect = Router();
  inspect.use('/control', loopbackOnly);
  inspect.post('/control/notify/:code', async (req, res) => {
    const b = billFor(req);
    if (!b || b.status !== 'PAID') return res.status(404).json({ error: 'no paid bill' });
    const r = await post(b, null).catch(() => null);
    const ok = !!r && isAck(r.status, r.text);
    b.notifyAttempts += 1;
    if (ok) b.acked = true;
    control.log.push({
      channel: 'nontax', orderNo: b.outBillNo, attempt: b.notifyAttempts, at: new Date().toISOString(), copies: 1, mutation: null, lost: false, acked: ok,
      status: r?.status ?? null, answer: (r?.text ?? '').slice(0, 500),
    });
    res.json({ acked: ok, attempts: b.notifyAttempts });
  });
  inspect.get('/control/bills/:code', (req, res) => {
    const b = billFor(req);
    if (!b) return res.status(404).json({ error: 'not found' });
    res.json({ ...paidFields(b), notifyAttempts: b.notifyAttempts, acked: b.acked, channelOrderNo: b.sub?.orderNo ?? null, channelTradeNo: b.channelTradeNo ?? null });
  });

  const router = Router();
  router.use(gateway, cashier, inspect);

  return {
    router,
    bills,
    /** The platform's key pair: tests sign forged or replayed notifications with it. */
    platformKeys: platform,
    merchantKeys,
    /** Puts a channel simulator behind one of the cashier's choices (see ../kit/sub-payment.ts). */
    connect(method: PayMethod, mount: string, channel: SubPaymentChannel) {
      channels.set(method, { mount, channel });
    },
    /** Timers are the shared control's; kept so that callers may stop either. */
    stop() {
      control.stop();
    },
  };
}

export type NontaxSimulator = ReturnType<typeof createNontaxSimulator>;
