import { describe, expect, it } from 'vitest';
import { unpaidEnd } from '../../src/domain/order-state';

const expiresAt = new Date('2026-03-01T10:00:00Z');
const before = new Date('2026-03-01T09:30:00Z');
const after = new Date('2026-03-01T10:05:00Z');

describe('unpaidEnd: why an unpaid order can no longer be paid', () => {
  it('a live order is payable until its expiry, then it has timed out (even before the job closes it)', () => {
    expect(unpaidEnd({ status: 'created', expiresAt, closedAt: null }, before)).toBeNull();
    expect(unpaidEnd({ status: 'paying', expiresAt, closedAt: null }, before)).toBeNull();
    expect(unpaidEnd({ status: 'paying', expiresAt, closedAt: null }, after)).toBe('expired');
  });

  it('closed at or after its expiry is a timeout; closed before it is a cancellation or replacement', () => {
    expect(unpaidEnd({ status: 'closed', expiresAt, closedAt: after }, after)).toBe('expired');
    expect(unpaidEnd({ status: 'closed', expiresAt, closedAt: expiresAt }, after)).toBe('expired');
    expect(unpaidEnd({ status: 'closed', expiresAt, closedAt: before }, after)).toBe('closed');
    expect(unpaidEnd({ status: 'failed', expiresAt, closedAt: null }, after)).toBe('closed');
  });

  it('a paid order has not ended unpaid', () => {
    for (const status of ['paid', 'partly_refunded', 'refunded'] as const) expect(unpaidEnd({ status, expiresAt, closedAt: null }, after)).toBeNull();
  });
});
