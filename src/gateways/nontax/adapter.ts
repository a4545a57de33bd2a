// 非税支付: the provincial non-tax platform. The school pushes a payable bill (bill.push) and gets
// a 20-digit 缴款码 and a cashier URL; the payer pays there (支付宝 / 微信 / 银联); the platform
// posts a signed bill.notify back. Wire format: ./codec.ts.
import { readFileSync } from 'node:fs';
import { Decimal } from '../../domain/money';
import { isPaymentCode } from '../../domain/payment-code';
import {
  ChannelError,
  type ChannelAdapter, type ChannelAnswer, type ChannelOrder, type CloseResult, type CreatedPayment, type PaidEvent,
  type ParsedNotification, type QueryResult, type RawNotification, type RefundQueryResult, type RefundResult, type Statement,
} from '../types';
import { handleNotification, type NotificationSpec } from '../common/notification';
import {
  ACK_FAIL, ACK_SUCCESS, CODES, encodeForm, parseForm, signedEnvelope, verifyEnvelope, verifyResponse, type Fields, type NontaxMethod,
} from './codec';

export interface NontaxConfig {
  url: string;
  merchantId: string;
  areaCode: string;
  privateKeyFile: string;
  platformKeyFile: string;
  /** Per request; a slow platform must not hold a student's page for long. */
  timeoutMs?: number;
}

const YUAN = /^(0|[1-9]\d{0,11})\.\d{2}$/;

const answer = (body: string): ChannelAnswer => ({ status: 200, contentType: 'text/plain; charset=utf-8', body });

/** The platform's "paid" fields, from a notification or a query answer, checked for shape. */
function paidEvent(biz: Record<string, unknown>): PaidEvent | null {
  const { pay_code: code, out_bill_no: orderNo, amount, trade_no: tradeNo, paid_time: paidTime, pay_channel: payMethod } = biz;
  if (typeof code !== 'string' || typeof amount !== 'string' || !YUAN.test(amount)) return null;
  if (typeof tradeNo !== 'string' || !/^[0-9A-Za-z]{1,64}$/.test(tradeNo) || typeof paidTime !== 'string') return null;
  const at = new Date(`${paidTime.replace(' ', 'T')}+08:00`);
  if (Number.isNaN(at.getTime())) return null;
  return {
    kind: 'paid', channelOrderId: code, orderNo: typeof orderNo === 'string' ? orderNo : null, channelTradeNo: tradeNo,
    amount: new Decimal(amount), paidAt: at, ...(typeof payMethod === 'string' ? { payMethod } : {}),
  };
}

export function nontaxAdapter(cfg: NontaxConfig, fetchImpl: typeof fetch = fetch): ChannelAdapter {
  // Read lazily: the sandbox creates its keys at its own start, which may come after ours.
  let keys: { privateKey: string; platformKey: string } | null = null;
  const loadKeys = () => {
    try {
      keys ??= { privateKey: readFileSync(cfg.privateKeyFile, 'utf8'), platformKey: readFileSync(cfg.platformKeyFile, 'utf8') };
    } catch (e) {
      throw new ChannelError(`non-tax keys not readable: ${(e as Error).message}`);
    }
    return keys;
  };

  async function call(method: NontaxMethod, biz: object): Promise<Record<string, unknown>> {
    const k = loadKeys();
    const body = encodeForm(signedEnvelope({ merchantId: cfg.merchantId, method, biz, privateKeyPem: k.privateKey }));
    let res: Response;
    try {
      res = await fetchImpl(`${cfg.url}/gateway`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
        body,
        signal: AbortSignal.timeout(cfg.timeoutMs ?? 10_000),
      });
    } catch (e) {
      throw new ChannelError(`non-tax ${method}: ${(e as Error).message}`, true);
    }
    if (res.status >= 500) throw new ChannelError(`non-tax ${method}: HTTP ${res.status}`, true);
    let json: unknown;
    try {
      json = await res.json();
    } catch {
      throw new ChannelError(`non-tax ${method}: unreadable answer (HTTP ${res.status})`, true);
    }
    const v = verifyResponse(json, k.platformKey);
    if (!v.ok) throw new ChannelError(`non-tax ${method}: answer failed verification (${v.reason})`, true);
    return v.response;
  }

  const codeOf = (order: ChannelOrder) => {
    if (!order.channelOrderId) throw new ChannelError(`order ${order.orderNo} has no 缴款码 yet`);
    return order.channelOrderId;
  };

  type Biz = Record<string, unknown>;
  /** bill.notify through the shared skeleton: only what is the non-tax platform's own. */
  const notificationSpec: NotificationSpec<{ form: Fields | null; biz: Biz | null }, { fields: Fields; biz: Biz }> = {
    decode(raw) {
      const form = parseForm(raw.rawBody);
      if (!form) return null;
      let biz: Biz | null = null;
      try {
        const b = form.biz_content ? (JSON.parse(form.biz_content) as unknown) : null;
        biz = b && typeof b === 'object' && !Array.isArray(b) ? (b as Biz) : null;
      } catch {
        /* unreadable: verify refuses it as malformed */
      }
      return { form, biz };
    },
    claimedOrderNo: (d, f) => (f ?? d).biz?.out_bill_no,
    verify(_d, raw) {
      const v = verifyEnvelope(raw.rawBody, loadKeys().platformKey);
      return v.ok ? { ok: true, fields: { fields: v.fields, biz: v.biz } } : v;
    },
    merchant: ({ fields }) => fields.merchant_id === cfg.merchantId,
    status({ fields, biz }) {
      if (fields.method !== 'bill.notify') return 'malformed';
      return biz.status === 'PAID' ? 'paid' : biz.status === 'CLOSED' ? 'closed' : 'malformed';
    },
    amount: { unit: 'yuan', of: ({ biz }) => biz.amount },
    paid: ({ biz }) => paidEvent(biz),
    closed: ({ biz }) => (typeof biz.pay_code === 'string' ? { channelOrderId: biz.pay_code, orderNo: typeof biz.out_bill_no === 'string' ? biz.out_bill_no.slice(0, 32) : null } : null),
    ack: () => answer(ACK_SUCCESS),
    nack: () => answer(ACK_FAIL),
  };

  return {
    id: 'nontax',
    alwaysClosable: true,

    async createPayment(order): Promise<CreatedPayment> {
      const r = await call('bill.push', {
        out_bill_no: order.orderNo,
        payer_name: order.payer.name,
        payer_id: order.payer.number,
        payer_mobile: order.payer.mobile,
        amount: order.total.toFixed(2),
        items: order.lines.map((l) => ({ item_code: l.itemCode, item_name: l.itemName, quantity: 1, amount: l.amount.toFixed(2) })),
        remark: order.subject,
        notify_url: order.notifyUrl,
        return_url: order.returnUrl,
        expire_time: order.expiresAt.toISOString(),
      });
      if (r.code !== CODES.ok) throw new ChannelError(`non-tax bill.push refused: ${String(r.code)} ${String(r.msg)}`);
      const code = r.pay_code;
      const url = r.cashier_url;
      if (typeof code !== 'string' || !isPaymentCode(code, cfg.areaCode) || typeof url !== 'string' || !/^https?:\/\//.test(url)) {
        throw new ChannelError('non-tax bill.push: answer without a valid 缴款码 or cashier URL', true);
      }
      if (r.out_bill_no !== order.orderNo || r.amount !== order.total.toFixed(2)) {
        throw new ChannelError('non-tax bill.push: answer is for another bill or amount', true);
      }
      return { action: { kind: 'redirect', url }, channelOrderId: code };
    },

    parseNotification(raw: RawNotification): ParsedNotification {
      return handleNotification(notificationSpec, raw);
    },

    async query(order): Promise<QueryResult> {
      const r = await call('bill.query', { pay_code: codeOf(order), out_bill_no: order.orderNo });
      if (r.code === CODES.notFound) return { status: 'not_found' };
      if (r.code !== CODES.ok) throw new ChannelError(`non-tax bill.query: ${String(r.code)} ${String(r.msg)}`, true);
      if (r.status === 'PAID') {
        const event = paidEvent(r);
        if (!event) throw new ChannelError('non-tax bill.query: PAID without payment details', true);
        return { status: 'paid', event };
      }
      return { status: r.status === 'CLOSED' ? 'closed' : 'unpaid' };
    },

    async close(order): Promise<CloseResult> {
      const r = await call('bill.close', { pay_code: codeOf(order), out_bill_no: order.orderNo });
      if (r.code === CODES.ok || r.code === CODES.closed || r.code === CODES.notFound) return { status: 'closed' };
      if (r.code === CODES.alreadyPaid) {
        const event = paidEvent(r);
        if (!event) throw new ChannelError('non-tax bill.close: paid without payment details', true);
        return { status: 'paid', event };
      }
      throw new ChannelError(`non-tax bill.close: ${String(r.code)} ${String(r.msg)}`, true);
    },

    // Non-tax income is refunded by the finance office through the treasury, not online.
    async refund(): Promise<RefundResult> {
      return { status: 'unsupported' };
    },

    async queryRefund(): Promise<RefundQueryResult> {
      return { status: 'unsupported' };
    },

    async downloadStatement(day: string): Promise<Statement> {
      const r = await call('bill.statement', { bill_date: day });
      if (r.code !== CODES.ok || !Array.isArray(r.records)) throw new ChannelError(`non-tax bill.statement: ${String(r.code)} ${String(r.msg)}`, true);
      const lines = (r.records as Record<string, unknown>[]).map((rec) => {
        const e = paidEvent(rec);
        if (!e) throw new ChannelError('non-tax bill.statement: malformed record', true);
        return { channelOrderId: e.channelOrderId, orderNo: e.orderNo, channelTradeNo: e.channelTradeNo, amount: e.amount, fee: new Decimal(0), paidAt: e.paidAt, kind: 'payment' as const };
      });
      return { raw: JSON.stringify(r), lines };
    },
  };
}
