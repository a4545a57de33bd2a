// The notification skeleton (src/gateways/common/notification.ts) with a tiny channel made up
// here: a JSON body signed by HMAC-SHA256 over the body without its `sig`, a timestamp window, a
// merchant id, an amount in the spec's unit, and a signed answer echoing msg_id.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Decimal } from '../../src/domain/money';
import { handleNotification, wireAmount, type AmountUnit, type NotificationSpec } from '../../src/gateways/common/notification';
import { ChannelError, type ChannelAnswer, type RawNotification } from '../../src/gateways/types';

const SECRET = 'test-secret';
const MCH = 'M0001';
type Doc = Record<string, unknown>;

const mac = (doc: Doc) => {
  const { sig: _sig, ...rest } = doc;
  return createHmac('sha256', SECRET).update(JSON.stringify(rest)).digest('hex');
};
const signed = (doc: Doc): Doc => ({ ...doc, sig: mac(doc) });
const now = () => Math.floor(Date.now() / 1000);
const answer = (status: number, body: object): ChannelAnswer => ({ status, contentType: 'application/json', body: JSON.stringify(body) });

function spec(unit: AmountUnit = 'yuan', over: Partial<NotificationSpec<Doc, Doc>> = {}): NotificationSpec<Doc, Doc> {
  return {
    decode(raw) {
      const d = JSON.parse(raw.rawBody) as unknown;
      return d && typeof d === 'object' && !Array.isArray(d) ? (d as Doc) : null;
    },
    claimedOrderNo: (d, f) => (f ?? d).no,
    verify(d) {
      if (typeof d.sig !== 'string' || d.sig !== mac(d)) return { ok: false, reason: 'signature' };
      if (typeof d.ts !== 'number' || Math.abs(now() - d.ts) > 300) return { ok: false, reason: 'timestamp' };
      return { ok: true, fields: d };
    },
    merchant: (f) => f.mch === MCH,
    status: (f) => (f.state === 'PAID' ? 'paid' : f.state === 'CLOSED' ? 'closed' : typeof f.state === 'string' ? 'unsupported' : 'malformed'),
    amount: { unit, of: (f) => f.amt },
    paid: (f) => (typeof f.no === 'string' && typeof f.trade === 'string' ? { channelOrderId: f.no, orderNo: f.no, channelTradeNo: f.trade, paidAt: new Date('2026-12-01T10:00:00+08:00') } : null),
    closed: (f) => (typeof f.no === 'string' ? { channelOrderId: f.no, orderNo: f.no } : null),
    ack: (f) => answer(200, { code: 0, msg_id: f.msg_id, sig: mac({ code: 0, msg_id: f.msg_id }) }),
    nack: (why, d) => answer(why === 'signature' ? 401 : 500, { code: why === 'signature' ? -2 : -1, msg_id: d?.msg_id ?? '' }),
    ...over,
  };
}

const raw = (body: string | Doc): RawNotification => ({ method: 'POST', path: '/pay/notify/x', headers: {}, rawBody: typeof body === 'string' ? body : JSON.stringify(body) });
const good = (o: Doc = {}) => signed({ mch: MCH, no: 'XF2612010001', trade: 'T1', amt: '9100.00', state: 'PAID', ts: now(), msg_id: 'm-1', ...o });

describe('notification skeleton', () => {
  it('turns a signed paid notification into a verified event, the amount a Decimal, with the signed echoing ack', () => {
    const p = handleNotification(spec(), raw(good()));
    expect(p.verified).toBe(true);
    if (!p.verified || p.event.kind !== 'paid') throw new Error('not paid');
    expect(p.event.amount).toBeInstanceOf(Decimal);
    expect(p.event.amount.toFixed(2)).toBe('9100.00');
    expect(p.event).toMatchObject({ channelOrderId: 'XF2612010001', orderNo: 'XF2612010001', channelTradeNo: 'T1' });
    expect(JSON.parse(p.ack.body)).toEqual({ code: 0, msg_id: 'm-1', sig: mac({ code: 0, msg_id: 'm-1' }) });
    // The answer if recording fails: the channel's nack, asked for as not_recorded.
    expect(p.nack).toEqual(answer(500, { code: -1, msg_id: 'm-1' }));
  });

  it('gives a closed event without looking for an amount', () => {
    const p = handleNotification(spec(), raw(good({ state: 'CLOSED', amt: undefined })));
    expect(p).toMatchObject({ verified: true, event: { kind: 'closed', channelOrderId: 'XF2612010001', orderNo: 'XF2612010001' } });
  });

  it('refuses malformed bodies as malformed, with the channel nack, and never throws', () => {
    for (const body of ['', 'not json', '[]', 'null', '{"a":', '\u0000\uffff', '1e309', '"x"']) {
      expect(handleNotification(spec(), raw(body)), body).toMatchObject({ verified: false, reason: 'malformed', nack: { status: 500 } });
    }
    // Longer than any channel sends: refused before decoding.
    expect(handleNotification(spec(), raw(JSON.stringify(good({ pad: 'x'.repeat(70_000) }))))).toMatchObject({ verified: false, reason: 'malformed' });
    // Random bytes: every one is an answer, never an exception.
    for (let i = 0; i < 300; i++) {
      const junk = Array.from({ length: i % 40 }, () => String.fromCharCode(Math.floor(Math.random() * 0x3000))).join('');
      const p = handleNotification(spec(), raw(junk));
      expect(p.verified).toBe(false);
    }
  });

  it('refuses a bad signature and a stale timestamp, keeping the claimed order number bounded', () => {
    const forged = { ...good(), amt: '0.01' };
    expect(handleNotification(spec(), raw(forged))).toMatchObject({ verified: false, reason: 'signature', nack: { status: 401 }, claimedOrderNo: 'XF2612010001' });
    const long = { ...good(), no: 'N'.repeat(500) };
    const p = handleNotification(spec(), raw(long));
    expect(p.verified).toBe(false);
    if (!p.verified) expect(p.claimedOrderNo).toBe('N'.repeat(32));
    expect(handleNotification(spec(), raw({ ...good(), no: { evil: true } }))).toMatchObject({ claimedOrderNo: null });
    expect(handleNotification(spec(), raw(good({ ts: now() - 3600 })))).toMatchObject({ verified: false, reason: 'timestamp' });
  });

  it('refuses a validly signed notification for another merchant', () => {
    expect(handleNotification(spec(), raw(good({ mch: 'M9999' })))).toMatchObject({ verified: false, reason: 'merchant', claimedOrderNo: 'XF2612010001' });
  });

  it('refuses every amount that is not exactly the channel’s shape, or not above zero', () => {
    const bad: Record<AmountUnit, unknown[]> = {
      yuan: ['1', '1.0', '1.000', '01.00', '-1.00', '+1.00', '1e2', ' 1.00', '1.00 ', '0.00', '１.00', 100, 1.5, null, undefined, {}, ['1.00']],
      fen: ['01', '1.0', '-1', '0', '1e2', '', ' 1', 1, '100000000000000'],
      fen_number: [1.5, -1, 0, 2 ** 53, Number.NaN, Infinity, '1', null],
    };
    for (const [unit, values] of Object.entries(bad) as [AmountUnit, unknown[]][]) {
      for (const amt of values) {
        expect(handleNotification(spec(unit), raw(good({ amt }))), `${unit} ${String(amt)}`).toMatchObject({ verified: false, reason: 'malformed' });
      }
    }
    const ok: [AmountUnit, unknown, string][] = [['yuan', '0.01', '0.01'], ['yuan', '99999999.99', '99999999.99'], ['fen', '1', '0.01'], ['fen', '909995', '9099.95'], ['fen_number', 1, '0.01'], ['fen_number', 909995, '9099.95']];
    for (const [unit, amt, yuan] of ok) {
      const p = handleNotification(spec(unit), raw(good({ amt })));
      expect(p.verified && p.event.kind === 'paid' && p.event.amount.toFixed(2), `${unit} ${String(amt)}`).toBe(yuan);
      expect(wireAmount(unit, amt)?.toFixed(2)).toBe(yuan);
    }
  });

  it('refuses an unsupported event as unsupported, and a verified but incomplete one as malformed', () => {
    expect(handleNotification(spec(), raw(good({ state: 'REFUND' })))).toMatchObject({ verified: false, reason: 'unsupported' });
    expect(handleNotification(spec(), raw(good({ state: 7 })))).toMatchObject({ verified: false, reason: 'malformed' });
    expect(handleNotification(spec(), raw(good({ trade: undefined })))).toMatchObject({ verified: false, reason: 'malformed' });
    expect(handleNotification(spec(), raw(good({ state: 'CLOSED', no: 5 })))).toMatchObject({ verified: false, reason: 'malformed' });
    // A spec whose paid() builds a bad date is refused, not believed.
    const badDate = spec('yuan', { paid: () => ({ channelOrderId: 'X', orderNo: 'X', channelTradeNo: 'T', paidAt: new Date('nonsense') }) });
    expect(handleNotification(badDate, raw(good()))).toMatchObject({ verified: false, reason: 'malformed' });
  });

  it('lets the answers depend on the reason and the fields, and falls back when the nack cannot be built', () => {
    // UnionPay-like: an unsupported (but genuine) notification is answered 200 so that it stops.
    const stopping = spec('yuan', { nack: (why) => answer(why === 'unsupported' ? 200 : 400, { why }) });
    expect(handleNotification(stopping, raw(good({ state: 'REFUND' })))).toMatchObject({ nack: { status: 200 } });
    expect(handleNotification(stopping, raw('x'))).toMatchObject({ nack: { status: 400 } });
    // ICBC-like: the nack is signed with our key; without it, the fallback answer.
    const noKey = spec('yuan', {
      nack: () => { throw new ChannelError('keys not readable'); },
      fallbackNack: { status: 500, contentType: 'text/plain', body: 'keys unavailable' },
    });
    expect(handleNotification(noKey, raw('x'))).toMatchObject({ verified: false, reason: 'malformed', nack: { status: 500, body: 'keys unavailable' } });
    expect(handleNotification(spec('yuan', { nack: () => { throw new Error('x'); } }), raw('x'))).toMatchObject({ nack: { status: 500, body: 'unavailable' } });
  });

  it('calls our own missing keys unsupported (but never answers them as an unsupported event), and any other throw malformed', () => {
    const keyless = spec('yuan', {
      verify: () => { throw new ChannelError('keys not readable'); },
      nack: (why) => answer(why === 'unsupported' ? 200 : 503, { why }),
    });
    expect(handleNotification(keyless, raw(good()))).toMatchObject({ verified: false, reason: 'unsupported', nack: { status: 503, body: '{"why":"unavailable"}' }, claimedOrderNo: 'XF2612010001' });
    const buggy = spec('yuan', { verify: () => { throw new TypeError('cannot read x of undefined'); } });
    expect(handleNotification(buggy, raw(good()))).toMatchObject({ verified: false, reason: 'malformed' });
    const badMerchant = spec('yuan', { merchant: () => { throw new Error('x'); } });
    expect(handleNotification(badMerchant, raw(good()))).toMatchObject({ verified: false, reason: 'malformed' });
    const noAck = spec('yuan', { ack: () => { throw new ChannelError('keys not readable'); } });
    expect(handleNotification(noAck, raw(good()))).toMatchObject({ verified: false, reason: 'unsupported' });
  });

  it('takes the order number from the verified fields when only they carry it (an encrypted resource)', () => {
    // WeChat-like: the body names no order until decrypted after verification.
    const enc = spec('yuan', {
      claimedOrderNo: (_d, f) => f?.no,
      verify: (d) => (d.sig === mac(d) ? { ok: true, fields: { ...d, mch: 'M9999' } } : { ok: false, reason: 'signature' }),
    });
    expect(handleNotification(enc, raw({ ...good(), sig: 'x' }))).toMatchObject({ reason: 'signature', claimedOrderNo: null });
    expect(handleNotification(enc, raw(good()))).toMatchObject({ reason: 'merchant', claimedOrderNo: 'XF2612010001' });
  });
});
