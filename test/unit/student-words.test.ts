// The student's pages never show a stored code: every step and outcome of a payment's history
// has words, and one the labels do not know reads as a neutral word rather than as its code.
import { describe, expect, it } from 'vitest';
import { eventLabel, outcomeLabel } from '../../src/domain/labels';

const CODE = /[a-z_:-]{3,}/;

describe('交易明细 in the payer’s words', () => {
  it('labels every outcome the payment module records, and hides one it does not know', () => {
    const outcomes = ['credited', 'duplicate', 'double-paid', 'rejected:unknown-order', 'rejected:amount', 'rejected:signature', 'sent', 'closed', 'open', 'paid', 'unpaid',
      'uncertain', 'refused', 'late:shared', 'late:closed', 'late:open', 'late:paid', 'late:uncertain', 'something-new'];
    for (const o of outcomes) expect(outcomeLabel(o), o).not.toMatch(CODE);
  });

  it('labels every step, including the reconciliation’s, and an unknown one as 处理记录', () => {
    for (const k of ['create', 'notify', 'query', 'close', 'reconcile', 'refund']) expect(eventLabel(k), k).not.toMatch(CODE);
    expect(eventLabel('something-new')).toBe('处理记录');
  });
});
