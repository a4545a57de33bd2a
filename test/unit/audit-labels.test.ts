// 审计日志's words: every action code the code base writes as a literal has its Chinese label, and
// a detail reads as labelled values rather than stored names and JSON.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AUDIT_ACTION_LABEL, auditDetail, labels } from '../../src/domain/labels';

const SRC = path.resolve(import.meta.dirname, '../../src/modules');
const files = (dir: string): string[] => readdirSync(dir, { withFileTypes: true })
  .flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));

describe('audit labels', () => {
  it('labels every action code written as a literal, and those built from a known vocabulary', () => {
    const written = new Set<string>();
    for (const f of files(SRC)) {
      for (const m of readFileSync(f, 'utf8').matchAll(/action: (?:[\w ?:]*)'([a-z_]+\.[a-z_.]+)'/g)) written.add(m[1]!);
    }
    expect(written.size).toBeGreaterThan(10);
    expect([...written].filter((code) => !Object.hasOwn(AUDIT_ACTION_LABEL, code))).toEqual([]);
    for (const code of ['account.reset', 'account.unlock', 'account.disable', 'account.enable', 'bill.reduction', 'bill.adjustment', 'refund.offline', 'refund.channel',
      'announcement.save', 'announcement.publish', 'announcement.withdraw', 'import.people', 'import.bills.rejected']) {
      expect(labels.auditAction(code), code).not.toBe(code);
    }
    // A code added later without a label still shows, as stored.
    expect(labels.auditAction('new.thing')).toBe('new.thing');
  });

  it('reads a detail as labelled values in a fixed order, whatever order it was stored in', () => {
    expect(auditDetail({ reason: '柜台收费', method: 'pos', receiptNo: '000123', lines: [{ billId: 7, amount: '100.00' }, { billId: 8, amount: '0.01' }] }))
      .toEqual([['收费单号', '000123'], ['收费方式', 'POS刷卡'], ['明细', '账单号7 金额100.00、账单号8 金额0.01'], ['原因', '柜台收费']]);
    expect(auditDetail('{"ok":false,"channel":"wechat","kind":"attempt","message":"渠道超时"}'))
      .toEqual([['渠道', '微信支付'], ['类型', '订单重复支付'], ['结果', '失败'], ['说明', '渠道超时']]);
    expect(auditDetail({ fields: ['security_question', 'security_answer'], via: 'pay', startsAt: '2026-12-01T16:00:00.000Z', extra: 1 }))
      .toEqual([['修改项', '密保问题、密保答案'], ['修改途径', '缴费页面（非税通知）'], ['开始时间', '2026-12-02 00:00:00'], ['extra', '1']]);
    expect(auditDetail(null)).toEqual([]);
  });
});
