// 非税通知: the outbox is drained through an SmsSender, retried with backoff, and given up after
// too many failures; the sandbox sender "delivers" into sms_sandbox_inbox.
import { describe, expect, it } from 'vitest';
import { drainSms, drainSmsOutbox, SMS_LEASE_MS, smsRetryDelayMs } from '../../src/modules/sms/outbox';
import { sandboxSmsSender, SmsError, type SmsSender } from '../../src/modules/sms/sender';
import { testDatabase } from '../helpers/test-db';
import * as f from '../factories';

const db = await testDatabase();
const at = (minutesAhead: number) => new Date(Date.now() + minutesAhead * 60_000);

async function queue(body: string, mobile = '13912345678') {
  const p = await f.person(db.knex, { password: 'Secret#2026a', mobile });
  const [row] = await db.knex('sms_outbox').insert({ person_id: p.personId, mobile, body }).returning('id');
  return String(row.id);
}
const outbox = (id: string) => db.knex('sms_outbox').where({ id }).first();

/** Fails the first `n` sends, then hands over to the sandbox sender. */
function flaky(n: number, error: () => Error = () => new Error('provider timeout')): SmsSender & { calls: number } {
  const real = sandboxSmsSender(db.knex);
  const s = {
    calls: 0,
    async send(mobile: string, body: string) {
      s.calls += 1;
      if (s.calls <= n) throw error();
      return real.send(mobile, body);
    },
  };
  return s;
}

describe('SMS outbox', () => {
  it('sends a pending message through the sandbox sender, which records it', async () => {
    const id = await queue('【兰州理工大学】测试消息一');
    const res = await drainSmsOutbox({ knex: db.knex, sender: sandboxSmsSender(db.knex), now: () => at(1) });
    expect(res.sent).toBeGreaterThanOrEqual(1);
    const row = await outbox(id);
    expect(row).toMatchObject({ status: 'sent', attempts: 1, last_error: null });
    expect(row.sent_at).not.toBeNull();
    expect(await db.knex('sms_sandbox_inbox').where({ body: '【兰州理工大学】测试消息一' }).first()).toMatchObject({ mobile: '13912345678' });
    // Sent once only.
    await drainSmsOutbox({ knex: db.knex, sender: sandboxSmsSender(db.knex), now: () => at(60) });
    expect(await db.knex('sms_sandbox_inbox').where({ body: '【兰州理工大学】测试消息一' }).count('* as n').first()).toMatchObject({ n: '1' });
  });

  it('retries a failed send after a growing delay, then sends it', async () => {
    const id = await queue('【兰州理工大学】测试消息二');
    const sender = flaky(1);
    const t0 = at(100);
    const first = await drainSmsOutbox({ knex: db.knex, sender, now: () => t0 });
    expect(first).toMatchObject({ sent: 0, retrying: 1 });
    let row = await outbox(id);
    expect(row).toMatchObject({ status: 'pending', attempts: 1, last_error: 'provider timeout' });
    expect(new Date(row.next_attempt_at).getTime()).toBe(t0.getTime() + smsRetryDelayMs(1));

    expect((await drainSmsOutbox({ knex: db.knex, sender, now: () => new Date(t0.getTime() + 10_000) })).sent).toBe(0);
    const later = await drainSmsOutbox({ knex: db.knex, sender, now: () => new Date(t0.getTime() + smsRetryDelayMs(1)) });
    expect(later.sent).toBe(1);
    row = await outbox(id);
    expect(row).toMatchObject({ status: 'sent', attempts: 2, last_error: null });
    expect([1, 2, 3, 7, 30].map(smsRetryDelayMs)).toEqual([30_000, 60_000, 120_000, 1_800_000, 1_800_000]);
  });

  it('gives up after the last attempt, and at once on an error a retry cannot fix', async () => {
    const a = await queue('【兰州理工大学】测试消息三');
    const sender = flaky(100);
    let t = at(200).getTime();
    for (let i = 0; i < 3; i++) {
      await drainSmsOutbox({ knex: db.knex, sender, now: () => new Date(t), maxAttempts: 3 });
      t += 3_600_000;
    }
    expect(await outbox(a)).toMatchObject({ status: 'failed', attempts: 3 });

    const b = await queue('【兰州理工大学】测试消息四', '10000000000');
    const res = await drainSmsOutbox({ knex: db.knex, sender: flaky(1, () => new SmsError('invalid number', false)), now: () => at(400) });
    expect(res.failed).toBe(1);
    expect(await outbox(b)).toMatchObject({ status: 'failed', attempts: 1, last_error: 'invalid number' });
  });

  it('never sends one message twice when two runners race', async () => {
    const ids = [await queue('竞争一'), await queue('竞争二'), await queue('竞争三')];
    const sender = sandboxSmsSender(db.knex);
    const now = () => at(500);
    await Promise.all([drainSmsOutbox({ knex: db.knex, sender, now }), drainSmsOutbox({ knex: db.knex, sender, now })]);
    for (const body of ['竞争一', '竞争二', '竞争三']) {
      expect(await db.knex('sms_sandbox_inbox').where({ body }).count('* as n').first()).toMatchObject({ n: '1' });
    }
    for (const id of ids) expect((await outbox(id)).status).toBe('sent');
  });

  it('a pass stops sending once half its lease is gone, and the rest goes with a later pass, each once', async () => {
    const bodies = ['租约一', '租约二', '租约三'];
    const ids = [];
    for (const b of bodies) ids.push(await queue(b));
    const t0 = at(600).getTime();
    // A provider so slow that the first send takes half the lease.
    let clock = t0;
    const real = sandboxSmsSender(db.knex);
    const slow: SmsSender = { async send(mobile, body) { clock += SMS_LEASE_MS / 2; return real.send(mobile, body); } };
    const first = await drainSmsOutbox({ knex: db.knex, sender: slow, now: () => new Date(clock) });
    expect(first).toMatchObject({ claimed: 3, sent: 1 });
    // Still under the first pass's lease: nobody takes the other two.
    expect((await drainSmsOutbox({ knex: db.knex, sender: real, now: () => new Date(t0 + SMS_LEASE_MS - 1) })).claimed).toBe(0);
    // The lease over, drainSms sends them, and nothing twice.
    const rest = await drainSms({ knex: db.knex, sender: real, now: () => new Date(t0 + SMS_LEASE_MS) });
    expect(rest.sent).toBe(2);
    for (const body of bodies) expect(await db.knex('sms_sandbox_inbox').where({ body }).count('* as n').first()).toMatchObject({ n: '1' });
    for (const id of ids) expect(await outbox(id)).toMatchObject({ status: 'sent', attempts: 1 });
  });
});
