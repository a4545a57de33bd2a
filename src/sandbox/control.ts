// The sandbox's fault injection and notification machinery, shared by the Alipay, WeChat,
// UnionPay and ICBC simulators (and open to the reconciliation work later):
//  - POST /_control/faults {channel, kind, count?, n?, ms?} arms a fault for the next `count`
//    notification attempts (or queries) of that channel; DELETE /_control/faults disarms all;
//  - GET /_control/notifications[?channel=&orderNo=] lists every notification attempt made;
//  - reachable from loopback only: a fault switch on a network-facing port would let anyone
//    forge "payments" into a demo.
// Kinds: duplicate (n copies at once), delay (ms before the attempt), lose (the attempt is not
// sent), reorder (the payment's notification is held until the merchant closes the order, and
// close answers "closed": the close overtakes the payment), tamper (a field changed after
// signing), wrong_amount / wrong_merchant (validly signed, wrong content), query_timeout (the
// next queries hang past any sane client timeout), query_error (HTTP 500).
import { Router, json, type Request, type Response, type NextFunction } from 'express';
import type { Logger } from '../logger';

export type SandboxChannel = 'alipay' | 'wechat' | 'unionpay' | 'icbc';
export const FAULT_KINDS = [
  'duplicate', 'delay', 'lose', 'reorder', 'tamper', 'wrong_amount', 'wrong_merchant', 'query_timeout', 'query_error',
  // The next refund requests are taken by the channel, then answered with a system error, or not
  // answered before any sane client timeout (ms): the merchant cannot tell that money moved.
  'refund_error', 'refund_timeout',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];
export type Mutation = 'tamper' | 'wrong_amount' | 'wrong_merchant' | null;

export interface Fault {
  kind: FaultKind;
  count: number;
  n?: number;
  ms?: number;
}

export interface NotificationRecord {
  channel: SandboxChannel;
  orderNo: string;
  attempt: number;
  at: string;
  copies: number;
  mutation: Mutation;
  lost: boolean;
  acked: boolean;
  status: number | null;
  answer: string;
}

const CHANNELS: SandboxChannel[] = ['alipay', 'wechat', 'unionpay', 'icbc'];
const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

export function loopbackOnly(req: Request, res: Response, next: NextFunction) {
  if (!LOOPBACK.has(req.socket.remoteAddress ?? '')) return void res.status(403).json({ error: 'loopback only' });
  next();
}

export function createControl(opts: { timeScale: number; logger?: Logger }) {
  const faults = new Map<SandboxChannel, Fault[]>();
  const log: NotificationRecord[] = [];
  const timers = new Set<NodeJS.Timeout>();

  /** Consumes one use of the first armed fault of these kinds, if any. */
  function take(channel: SandboxChannel, kinds: readonly FaultKind[]): Fault | null {
    const list = faults.get(channel) ?? [];
    const f = list.find((x) => kinds.includes(x.kind) && x.count > 0);
    if (!f) return null;
    f.count -= 1;
    if (f.count <= 0) list.splice(list.indexOf(f), 1);
    return { ...f };
  }

  function arm(channel: SandboxChannel, f: Fault) {
    const list = faults.get(channel) ?? [];
    list.push(f);
    faults.set(channel, list);
  }

  const sleep = (ms: number) => new Promise<void>((r) => {
    const t = setTimeout(() => { timers.delete(t); r(); }, ms);
    t.unref();
    timers.add(t);
  });

  /**
   * Sends a channel's notification on its retry schedule (seconds before each attempt, the first
   * usually 0), scaled by SANDBOX_TIME_SCALE, until `isAck` says the merchant acknowledged it.
   */
  function deliver(d: {
    channel: SandboxChannel;
    orderNo: string;
    scheduleS: readonly number[];
    send: (mutation: Mutation) => Promise<{ status: number; text: string } | null>;
    isAck: (status: number, text: string) => boolean;
    /** Stop early (e.g. the trade was refunded away); false by default. */
    cancelled?: () => boolean;
  }): void {
    let acked = false;
    const attemptAt = async (i: number) => {
      if (acked || d.cancelled?.() || i >= d.scheduleS.length) return;
      await sleep(d.scheduleS[i]! * 1000 * opts.timeScale);
      const delay = take(d.channel, ['delay']);
      if (delay) await sleep(delay.ms ?? 1000);
      const lost = !!take(d.channel, ['lose']);
      const mutation = (take(d.channel, ['tamper', 'wrong_amount', 'wrong_merchant'])?.kind ?? null) as Mutation;
      const dup = take(d.channel, ['duplicate']);
      const copies = lost ? 0 : Math.max(1, Math.min(dup?.n ?? 1, 50));
      const results = await Promise.all(Array.from({ length: copies }, () => d.send(mutation).catch(() => null)));
      const ok = results.filter((r): r is { status: number; text: string } => !!r && d.isAck(r.status, r.text));
      const first = results.find(Boolean) ?? null;
      acked = ok.length > 0;
      log.push({
        channel: d.channel, orderNo: d.orderNo, attempt: i + 1, at: new Date().toISOString(), copies, mutation, lost, acked,
        status: first?.status ?? null, answer: (first?.text ?? '').slice(0, 500),
      });
      opts.logger?.debug({ channel: d.channel, orderNo: d.orderNo, attempt: i + 1, acked }, 'sandbox notify');
      if (!acked) void attemptAt(i + 1);
    };
    void attemptAt(0);
  }

  const router = Router();
  router.use('/_control', loopbackOnly, json({ limit: '4kb' }));
  router.post('/_control/faults', (req, res) => {
    const b = (req.body ?? {}) as Partial<Fault> & { channel?: string };
    if (!CHANNELS.includes(b.channel as SandboxChannel) || !FAULT_KINDS.includes(b.kind as FaultKind)) {
      return res.status(400).json({ error: `channel one of ${CHANNELS.join('|')}, kind one of ${FAULT_KINDS.join('|')}` });
    }
    const count = Number.isInteger(b.count) && b.count! > 0 ? Math.min(b.count!, 1000) : 1;
    const f: Fault = { kind: b.kind as FaultKind, count };
    if (Number.isInteger(b.n)) f.n = Math.max(1, Math.min(b.n!, 50));
    if (Number.isInteger(b.ms)) f.ms = Math.max(0, Math.min(b.ms!, 600_000));
    arm(b.channel as SandboxChannel, f);
    res.status(201).json({ channel: b.channel, fault: f });
  });
  router.delete('/_control/faults', (_req, res) => {
    faults.clear();
    res.status(204).end();
  });
  router.get('/_control/faults', (_req, res) => res.json(Object.fromEntries(faults)));
  router.get('/_control/notifications', (req, res) => {
    const { channel, orderNo } = req.query as Record<string, string | undefined>;
    res.json(log.filter((r) => (!channel || r.channel === channel) && (!orderNo || r.orderNo === orderNo)));
  });

  return {
    router, take, arm, deliver, sleep, log,
    stop() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}

export type SandboxControl = ReturnType<typeof createControl>;

/** A trade as every simulator keeps it (in memory: it is a simulator). Amounts in fen. */
export interface SimTrade {
  channelOrderId: string;
  merchantId: string;
  orderNo: string;
  fen: bigint;
  subject: string;
  notifyUrl: string;
  returnUrl: string;
  createdAt: Date;
  expireAt: Date | null;
  status: 'UNPAID' | 'PAID' | 'CLOSED';
  tradeNo?: string;
  paidAt?: Date;
  refundedFen: bigint;
  refunds: { refundNo: string; fen: bigint; at: Date }[];
  /** reorder fault: the paid notification waits for the merchant's close. */
  heldForClose?: boolean;
  extra: Record<string, string>;
}

export function expireIfDue(t: SimTrade, now = new Date()) {
  if (t.status === 'UNPAID' && t.expireAt && t.expireAt <= now) t.status = 'CLOSED';
}

/** The "slow" or "broken" answer to a query when a query fault is armed; true when handled. */
export async function queryFault(control: SandboxControl, channel: SandboxChannel, res: Response): Promise<boolean> {
  const f = control.take(channel, ['query_timeout', 'query_error']);
  if (!f) return false;
  if (f.kind === 'query_error') {
    res.status(500).type('text/plain').send('system busy');
    return true;
  }
  await control.sleep(f.ms ?? 30_000);
  if (!res.headersSent) res.status(504).end();
  return true;
}
