// The simulated platform's gateway API: one signed POST /gateway whose method is bill.push (a
// new 缴款码, or the same one for a retried push), bill.query, bill.close or bill.statement.
import express, { Router, type Response } from 'express';
import { Decimal, toFen } from '../../domain/money';
import { formatPaymentCode, isPaymentCode } from '../../domain/payment-code';
import { CODES, verifyEnvelope, parseForm } from '../../gateways/nontax/codec';
import { asUnpaid, newTrade, queryFault, releaseHeld, statementRows, type SandboxControl, type TradeBook } from '../kit';
import type { Merchant, SimBill } from './bill';

const YUAN = /^(0|[1-9]\d{0,11})\.\d{2}$/;

export interface NontaxGatewayDeps {
  control: SandboxControl;
  areaCode: string;
  merchants: Map<string, Merchant>;
  book: TradeBook<SimBill>;
  /** The school's out_bill_no (as merchantId:out_bill_no) to its 缴款码. */
  byOutNo: Map<string, string>;
  /** The serial of the next 缴款码. */
  nextSerial(): number;
  respond(res: Response, response: Record<string, unknown>): void;
  paidFields(b: SimBill): Record<string, unknown>;
  notify(b: SimBill): void;
  /** Closes the bill's open channel payment, if any; true when the payer had paid it meanwhile. */
  closeSub(b: SimBill): boolean;
}

export function gatewayRoutes(d: NontaxGatewayDeps): Router {
  const { control, merchants, book, byOutNo, respond, paidFields, notify, closeSub } = d;
  const bills = book.trades;
  const gateway = Router();
  gateway.post('/gateway', express.text({ type: 'application/x-www-form-urlencoded', limit: '256kb' }), async (req, res) => {
    const raw = typeof req.body === 'string' ? req.body : '';
    const claimed = parseForm(raw);
    const merchant = claimed?.merchant_id ? merchants.get(claimed.merchant_id) : undefined;
    if (!merchant) return respond(res, { code: CODES.badMerchant, msg: '执收单位不存在' });
    const v = verifyEnvelope(raw, merchant.publicKey);
    if (!v.ok) return respond(res, { code: v.reason === 'signature' ? CODES.badSignature : CODES.badRequest, msg: v.reason === 'signature' ? '验签失败' : '报文格式错误' });
    const biz = v.biz;
    const str = (k: string) => (typeof biz[k] === 'string' ? (biz[k] as string) : '');
    const find = () => {
      const code = str('pay_code');
      const b = book.find(isPaymentCode(code) ? code : byOutNo.get(`${merchant.id}:${str('out_bill_no')}`) ?? '');
      if (!b || b.merchantId !== merchant.id || (str('out_bill_no') && b.outBillNo !== str('out_bill_no'))) return null;
      return b;
    };

    switch (v.fields.method) {
      case 'bill.push': {
        const amount = str('amount');
        const items = Array.isArray(biz.items) ? (biz.items as SimBill['items']) : [];
        if (!str('out_bill_no') || !YUAN.test(amount) || new Decimal(amount).lte(0) || !items.length || !/^https?:\/\//.test(str('notify_url'))) {
          return respond(res, { code: CODES.badRequest, msg: '缴款信息不完整' });
        }
        // declined fault: the platform refuses this push for the bill itself, as it would an item
        // code it does not know: a business answer, signed, from a platform that is up.
        if (control.take('nontax', ['declined'])) return respond(res, { code: CODES.badRequest, msg: '执收项目不存在' });
        const existing = find();
        if (existing) {
          // The same bill pushed again (a retry after a timeout): same 缴款码, if nothing changed.
          if (existing.amount !== amount) return respond(res, { code: CODES.conflict, msg: '同一业务单号金额不一致' });
          if (existing.status === 'PAID') return respond(res, { code: CODES.alreadyPaid, msg: '已缴费', ...paidFields(existing) });
          if (existing.status === 'CLOSED') return respond(res, { code: CODES.closed, msg: '缴款码已关闭' });
        }
        const payCode = existing?.payCode ?? formatPaymentCode(d.areaCode, new Date(), d.nextSerial());
        const b: SimBill = existing ?? {
          ...newTrade({
            channelOrderId: payCode, merchantId: merchant.id, orderNo: str('out_bill_no'), fen: toFen(new Decimal(amount)), subject: str('remark'),
            notifyUrl: str('notify_url'), returnUrl: str('return_url'), expireAt: str('expire_time') ? new Date(str('expire_time')) : null,
          }),
          payCode, outBillNo: str('out_bill_no'), amount, payerName: str('payer_name'), payerId: str('payer_id'), items, remark: str('remark'), notifyAttempts: 0, acked: false,
        };
        book.add(b);
        byOutNo.set(`${merchant.id}:${b.outBillNo}`, b.payCode);
        const base = `${req.protocol}://${req.get('host')}${req.baseUrl}`;
        return respond(res, { code: CODES.ok, msg: '成功', pay_code: b.payCode, out_bill_no: b.outBillNo, amount: b.amount, cashier_url: `${base}/cashier/${b.payCode}` });
      }
      case 'bill.query': {
        if (await queryFault(control, 'nontax', res)) return;
        const b = find();
        if (!b) return respond(res, { code: CODES.notFound, msg: '缴款码不存在' });
        // A held (reordered) payment is not visible yet: the close must overtake it.
        return respond(res, { code: CODES.ok, msg: '成功', ...paidFields(b.heldForClose ? asUnpaid(b) : b) });
      }
      case 'bill.close': {
        const b = find();
        if (!b) return respond(res, { code: CODES.notFound, msg: '缴款码不存在' });
        // reorder fault: the close is answered as of an unpaid bill, then the payment's notice goes.
        if (releaseHeld(b, () => notify(b))) return respond(res, { code: CODES.ok, msg: '已关闭', ...paidFields({ ...asUnpaid(b), status: 'CLOSED' }) });
        // The payment open at the channel is closed first: if the payer got there before, it is paid.
        if (b.status === 'UNPAID') closeSub(b);
        if (b.status === 'PAID') return respond(res, { code: CODES.alreadyPaid, msg: '已缴费，不能关闭', ...paidFields(b) });
        const was = b.status;
        b.status = 'CLOSED';
        return respond(res, { code: was === 'CLOSED' ? CODES.closed : CODES.ok, msg: '已关闭', ...paidFields(b) });
      }
      case 'bill.statement': {
        const day = str('bill_date');
        const records = statementRows([...bills.values()].filter((b) => b.merchantId === merchant.id), day).map((r) => paidFields(r.trade));
        return respond(res, { code: CODES.ok, msg: '成功', bill_date: day, records });
      }
      default:
        return respond(res, { code: CODES.badRequest, msg: '不支持的接口' });
    }
  });
  return gateway;
}
