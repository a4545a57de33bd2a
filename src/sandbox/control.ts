// The sandbox's fault injection and notification machinery, shared by every simulator (the
// non-tax platform, Alipay, WeChat, UnionPay, ICBC); the rest of the simulators' kit is in ./kit:
//  - POST /_control/faults {channel, kind, count?, n?, ms?} arms a fault for the next `count`
//    notification attempts (or queries, or payments for hold/reorder) of that channel;
//    DELETE /_control/faults disarms all, DELETE /_control/faults?channel=x that channel's;
//  - GET /_control/notifications[?channel=&orderNo=] lists every notification attempt made;
//  - reachable from loopback only: a fault switch on a network-facing port would let anyone
//    forge "payments" into a demo.
// Kinds: duplicate (n copies at once), delay (ms before the attempt), lose (the attempt is not
// sent), reorder (the payment's notification is held until the merchant closes the order, and
// close answers "closed": the close overtakes the payment), tamper (a field changed after
// signing), wrong_amount / wrong_merchant (validly signed, wrong content), query_timeout (the
// next queries hang past any sane client timeout), query_error (HTTP 500), hold (the payment's
// notification is never sent at all: only a query or the statement finds the payment). Refund
// faults: refund_system_error (a system-error answer, nothing refunded), refund_system_error_done
// (the refund is made, the answer still says system error), refund_lost (the refund is made, the
// connection drops before the answer), refund_timeout (the refund is made, the answer comes only
// after `ms`, past the client's timeout). rotate_key: the channel signs from its next message on
// with a new key (WeChat a new platform certificate listed at /v3/certificates); the old key is
// no longer used. refund_error: the refund is taken, then answered with a system error (ICBC).
// declined: ICBC answers the payer's last try as failed; the non-tax platform refuses the next
// bill.push for the bill itself (code 1003).
// down {ms | until}: the channel is out of service until then (ms is sandbox time, scaled by
// SANDBOX_TIME_SCALE like the retry schedules): its gateway and pages answer 503, and its
// notifications wait and go out when it is back, as a platform resends after an outage.
import { Router, json, type Request, type Response, type NextFunction } from 'express';
import type { Logger } from '../logger';

export type SandboxChannel = 'nontax' | 'alipay' | 'wechat' | 'unionpay' | 'icbc';
/** The card and wallet channels: those a school's order goes to directly, one SimTrade per order. */
export type CardChannel = Exclude<SandboxChannel, 'nontax'>;
export const FAULT_KINDS = ['duplicate', 'delay', 'lose', 'reorder', 'tamper', 'wrong_amount', 'wrong_merchant', 'query_timeout', 'query_error', 'hold',
  'refund_system_error', 'refund_system_error_done', 'refund_lost', 'refund_timeout', 'rotate_key', 'refund_error', 'declined', 'down'] as const;
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
  /** hold fault: the notification was never going to be sent (attempt 0, nothing sent). */
  held?: boolean;
}

const CHANNELS: SandboxChannel[] = ['nontax', 'alipay', 'wechat', 'unionpay', 'icbc'];
const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

export function loopbackOnly(req: Request, res: Response, next: NextFunction) {
  if (!LOOPBACK.has(req.socket.remoteAddress ?? '')) return void res.status(403).json({ error: 'loopback only' });
  next();
}

export function createControl(opts: { timeScale: number; logger?: Logger }) {
  const faults = new Map<SandboxChannel, Fault[]>();
  const log: NotificationRecord[] = [];
  const timers = new Set<NodeJS.Timeout>();
  /** down faults: the channel answers 503 until this time. */
  const downs = new Map<SandboxChannel, Date>();
  const downUntil = (channel: SandboxChannel): Date | null => {
    const t = downs.get(channel);
    if (t && t.getTime() > Date.now()) return t;
    downs.delete(channel);
    return null;
  };

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
    /** Told of every attempt once made (the non-tax simulator counts them on its bill). */
    onAttempt?: (r: NotificationRecord) => void;
  }): void {
    if (take(d.channel, ['hold'])) {
      const r: NotificationRecord = {
        channel: d.channel, orderNo: d.orderNo, attempt: 0, at: new Date().toISOString(), copies: 0, mutation: null, lost: true, acked: false, status: null, answer: '', held: true,
      };
      log.push(r);
      return;
    }
    let acked = false;
    const attemptAt = async (i: number) => {
      if (acked || d.cancelled?.() || i >= d.scheduleS.length) return;
      await sleep(d.scheduleS[i]! * 1000 * opts.timeScale);
      const delay = take(d.channel, ['delay']);
      if (delay) await sleep(delay.ms ?? 1000);
      // Down: nothing goes out meanwhile; the attempt is made once the channel is back.
      for (let t = downUntil(d.channel); t; t = downUntil(d.channel)) await sleep(Math.min(Math.max(10, t.getTime() - Date.now()), 1000));
      const lost = !!take(d.channel, ['lose']);
      const mutation = (take(d.channel, ['tamper', 'wrong_amount', 'wrong_merchant'])?.kind ?? null) as Mutation;
      const dup = take(d.channel, ['duplicate']);
      // duplicate without n: two copies (one copy would be no fault at all).
      const copies = lost ? 0 : dup ? Math.max(1, Math.min(dup.n ?? 2, 50)) : 1;
      const results = await Promise.all(Array.from({ length: copies }, () => d.send(mutation).catch(() => null)));
      const ok = results.filter((r): r is { status: number; text: string } => !!r && d.isAck(r.status, r.text));
      const first = results.find(Boolean) ?? null;
      acked = ok.length > 0;
      const record: NotificationRecord = {
        channel: d.channel, orderNo: d.orderNo, attempt: i + 1, at: new Date().toISOString(), copies, mutation, lost, acked,
        status: first?.status ?? null, answer: (first?.text ?? '').slice(0, 500),
      };
      log.push(record);
      d.onAttempt?.(record);
      opts.logger?.debug({ channel: d.channel, orderNo: d.orderNo, attempt: i + 1, acked }, 'sandbox notify');
      if (!acked) void attemptAt(i + 1);
    };
    void attemptAt(0);
  }

  const router = Router();
  router.use('/_control', loopbackOnly, json({ limit: '4kb' }));
  router.post('/_control/faults', (req, res) => {
    const b = (req.body ?? {}) as Partial<Fault> & { channel?: string; until?: string };
    if (b.kind === 'down' && CHANNELS.includes(b.channel as SandboxChannel)) {
      const until = typeof b.until === 'string' ? new Date(b.until) : new Date(Date.now() + Math.max(0, Number(b.ms) || 0) * opts.timeScale);
      if (Number.isNaN(until.getTime())) return res.status(400).json({ error: 'until must be an ISO time' });
      downs.set(b.channel as SandboxChannel, until);
      return res.status(201).json({ channel: b.channel, fault: { kind: 'down', until: until.toISOString() } });
    }
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
  router.delete('/_control/faults', (req, res) => {
    const channel = typeof req.query.channel === 'string' ? req.query.channel : '';
    if (channel) {
      faults.delete(channel as SandboxChannel);
      downs.delete(channel as SandboxChannel);
    } else {
      faults.clear();
      downs.clear();
    }
    res.status(204).end();
  });
  router.get('/_control/faults', (_req, res) => res.json({ ...Object.fromEntries(faults), down: Object.fromEntries(downs) }));
  router.get('/_control/notifications', (req, res) => {
    const { channel, orderNo } = req.query as Record<string, string | undefined>;
    res.json(log.filter((r) => (!channel || r.channel === channel) && (!orderNo || r.orderNo === orderNo)));
  });

  return {
    router, take, arm, deliver, sleep, log, downUntil,
    /** Answers 503 while the channel is down (a down fault); inspection under /control stays up. */
    downGuard(channel: SandboxChannel) {
      return (req: Request, res: Response, next: NextFunction) => {
        const t = downUntil(channel);
        if (!t || req.path.startsWith('/control') || req.path.startsWith('/_control')) return next();
        res.status(503).set('Retry-After', String(Math.ceil((t.getTime() - Date.now()) / 1000))).type('text/plain; charset=utf-8').send('系统维护中');
      };
    },
    stop() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}

export type SandboxControl = ReturnType<typeof createControl>;

// The trade every simulator keeps now lives in the kit; re-exported here for the simulators
// that import it from this module.
export { expireIfDue, type SimTrade } from './kit/trades';

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
