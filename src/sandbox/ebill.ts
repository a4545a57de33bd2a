// The provincial fiscal e-bill service, simulated: it takes a signed request for one of the bills
// the school may issue — 非税收入 (财政 fees) or 行政事业单位资金往来结算票据 (代收 money), named by
// its 票据种类编码 (modules/ebills/protocol.ts BILL_TYPE) with the 收费渠道 — checks the signature,
// the kind and the arithmetic the way the platform does, and answers with 票据代码, 票据号码 and
// 校验码, signed. A kind the school was not given, or no 收费渠道, is refused like a malformed request.
// The 票据代码 is built as fiscal bill codes are: 2 digits of 区划, the kind's 4 (分类, 种类), 2 of
// 年度; 票据号码 is a 10-digit serial. Asking again with the same requestId returns the same bill,
// so a retry after a lost answer never issues two bills for one payment.
// Faults for tests and demos: the next N requests fail (error, timeout, forged signature).
import { randomInt } from 'node:crypto';
import express, { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { businessDate } from '../domain/business-date';
import { Decimal, sum } from '../domain/money';
import { BILL_TYPE, HEADER, ISSUE_PATH, type IssuedBill, type IssueResponse, signedHeaders, verify } from '../modules/ebills/protocol';

export type EbillFault = 'error' | 'timeout' | 'badsign';

export interface EbillSandboxOptions {
  appId: string;
  secret: string;
  /** 行政区划 digits of 票据代码 (Gansu: 62). */
  province?: string;
  /** The 票据种类 this school may issue (by default both of BILL_TYPE). */
  billTypes?: readonly string[];
  /** How long a 'timeout' fault holds the answer back. */
  timeoutMs?: number;
  clock?: () => Date;
}

const yuan = z.string().regex(/^(0|[1-9]\d{0,11})\.\d{2}$/);
const issueSchema = z.object({
  requestId: z.string().min(1).max(64),
  billType: z.string().regex(/^\d{4}$/),
  channel: z.string().min(1).max(20),
  payerName: z.string().min(1).max(50),
  payerNumber: z.string().max(32),
  unitName: z.string().min(1).max(100),
  remark: z.string().max(200),
  payDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  total: yuan,
  lines: z
    .array(z.object({ code: z.string().min(1).max(32), name: z.string().min(1).max(100), unit: z.string().max(8), quantity: z.string().regex(/^[1-9]\d{0,5}$/), standard: yuan, amount: yuan }))
    .min(1)
    .max(50),
});

export function ebillSandbox(opts: EbillSandboxOptions) {
  const clock = opts.clock ?? (() => new Date());
  const province = opts.province ?? '62';
  const billTypes = new Set<string>(opts.billTypes ?? Object.values(BILL_TYPE));
  const issued = new Map<string, { bill: IssuedBill; total: string; billType: string; channel: string }>();
  // Numbers continue from the clock rather than from 1, so a restarted sandbox does not hand out
  // a 票据号码 the database already holds (the real platform keeps its own counter).
  let serial = Math.floor(clock().getTime() / 1000) % 1_000_000_000;
  const faults: EbillFault[] = [];
  let requests = 0;
  /** Valid requests per requestId: more than one means a bill was asked for twice. */
  const perRequest = new Map<string, number>();

  const answer = (res: Response, status: number, payload: IssueResponse, forge = false) => {
    const body = JSON.stringify(payload);
    const headers = signedHeaders(opts.appId, forge ? `${opts.secret}-forged` : opts.secret, body, clock());
    res.status(status).set(headers).type('application/json').send(body);
  };

  const issue = (req: Request, res: Response) => {
    requests += 1;
    const raw = typeof req.body === 'string' ? req.body : '';
    const fault = faults.shift();
    if (fault === 'error') return answer(res, 503, { code: '5001', message: '系统繁忙，请稍后再试' });
    if (fault === 'timeout') {
      const t = setTimeout(() => answer(res, 503, { code: '5002', message: '处理超时' }), opts.timeoutMs ?? 15_000);
      res.on('close', () => clearTimeout(t));
      return;
    }
    if (req.get(HEADER.appId) !== opts.appId) return answer(res, 401, { code: '4003', message: '未知的应用' });
    const v = verify(opts.secret, (n) => req.get(n), raw, clock());
    if (!v.ok) return answer(res, 401, { code: '4001', message: `验签失败: ${v.why}` });
    let parsed;
    try {
      parsed = issueSchema.safeParse(JSON.parse(raw));
    } catch {
      return answer(res, 400, { code: '4000', message: '报文格式错误' });
    }
    if (!parsed.success) return answer(res, 400, { code: '4000', message: `报文格式错误: ${parsed.error.issues[0]?.path.join('.')}` });
    const r = parsed.data;
    if (!billTypes.has(r.billType)) return answer(res, 400, { code: '4000', message: `报文格式错误: 票据种类 ${r.billType} 未授权` });
    perRequest.set(r.requestId, (perRequest.get(r.requestId) ?? 0) + 1);
    const linesAdd = r.lines.every((l) => new Decimal(l.standard).times(l.quantity).eq(l.amount));
    if (!linesAdd || !sum(r.lines.map((l) => l.amount)).eq(r.total)) return answer(res, 400, { code: '4002', message: '金额不符' });

    const before = issued.get(r.requestId);
    if (before) {
      if (before.total !== r.total || before.billType !== r.billType) return answer(res, 409, { code: '4009', message: '请求号重复且内容不同' });
      return answer(res, 200, { code: '0000', message: '成功', data: before.bill }, fault === 'badsign');
    }
    const today = businessDate(clock());
    serial = (serial + 1) % 10_000_000_000;
    const bill: IssuedBill = {
      billCode: `${province}${r.billType}${today.slice(2, 4)}`,
      billNo: String(serial).padStart(10, '0'),
      checkCode: String(randomInt(0, 1_000_000)).padStart(6, '0'),
      issuedOn: today,
    };
    issued.set(r.requestId, { bill, total: r.total, billType: r.billType, channel: r.channel });
    answer(res, 200, { code: '0000', message: '成功', data: bill }, fault === 'badsign');
  };

  const router = Router();
  router.post(ISSUE_PATH, express.text({ type: '*/*', limit: '64kb' }), issue);
  // Fault injection, from this machine only: POST /_control/faults {"fault":"error","count":2}
  router.post('/_control/faults', express.json(), (req, res) => {
    if (!isLoopback(req.socket.remoteAddress)) return res.status(403).end();
    const body = z.object({ fault: z.enum(['error', 'timeout', 'badsign']), count: z.number().int().min(1).max(100).default(1) }).safeParse(req.body);
    if (!body.success) return res.status(400).json({ error: 'fault must be error | timeout | badsign' });
    for (let i = 0; i < body.data.count; i++) faults.push(body.data.fault);
    res.json({ pending: faults.length });
  });

  return {
    router,
    control: {
      /** The next `count` requests fail this way. */
      fail(fault: EbillFault, count = 1) {
        for (let i = 0; i < count; i++) faults.push(fault);
      },
      get requests() {
        return requests;
      },
      /** The most valid requests any one requestId received. */
      maxRequestsPerId: () => Math.max(0, ...perRequest.values()),
      issued: () => [...issued.entries()].map(([requestId, v]) => ({ requestId, ...v.bill, total: v.total, billType: v.billType, channel: v.channel })),
    },
  };
}

export type EbillSandbox = ReturnType<typeof ebillSandbox>;

function isLoopback(addr: string | undefined): boolean {
  return addr === '127.0.0.1' || addr === '::1' || addr === '::ffff:127.0.0.1';
}
