// The breaker in front of the non-tax platform's e-bill requests: five failures in a row open it,
// one probe is let through when the delay is over, and a probe that fails opens it again at once
// with a longer delay (not after five more requests to a platform still down).
import { describe, expect, it } from 'vitest';
import { BREAKER_THRESHOLD, breakerDelayMs } from '../../src/modules/nontax-status/service';
import { testConfig } from '../helpers/app';
import { testServices } from '../helpers/services';
import { testDatabase } from '../helpers/test-db';

const db = await testDatabase();
const status = testServices({ config: testConfig(db), db }).nontaxStatus;

describe('the non-tax breaker', () => {
  it('opens after five failures, lets one probe through, and a failed probe opens it again with the next delay', async () => {
    const t0 = new Date('2026-12-02T02:00:00Z');
    const at = (ms: number) => new Date(t0.getTime() + ms);
    expect(await status.gate(t0)).toBe('open');
    await status.failure('503', t0, BREAKER_THRESHOLD);
    expect(await status.gate(at(1))).toBe('closed');

    const first = breakerDelayMs(0);
    expect(await status.gate(at(first + 1))).toBe('probe');
    // Another pass meanwhile is not a second probe.
    expect(await status.gate(at(first + 2))).toBe('closed');
    await status.failure('503', at(first + 3));
    const b = await status.breaker();
    expect(b!.openUntil!.getTime()).toBe(at(first + 3).getTime() + breakerDelayMs(1));
    expect(await status.gate(at(first + 10))).toBe('closed');

    const probeAt = at(first + 3 + breakerDelayMs(1) + 1);
    expect(await status.gate(probeAt)).toBe('probe');
    await status.success(probeAt);
    expect(await status.gate(at(first + 3 + breakerDelayMs(1) + 2))).toBe('open');
  });
});
