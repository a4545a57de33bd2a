import { describe, expect, it } from 'vitest';
import { normaliseAnswer } from '../../src/domain/security-answer';

describe('密保答案 normalisation', () => {
  it('ignores case and every kind of space', () => {
    expect(normaliseAnswer(' Lan Zhou ')).toBe('lanzhou');
    expect(normaliseAnswer('LAN\tZHOU\n')).toBe('lanzhou');
    expect(normaliseAnswer('兰州\u3000理工')).toBe('兰州理工');
  });

  it('folds full-width letters and digits', () => {
    expect(normaliseAnswer('ＬａｎＺｈｏｕ１２')).toBe('lanzhou12');
  });

  it('keeps what differs', () => {
    expect(normaliseAnswer('兰州')).not.toBe(normaliseAnswer('兰洲'));
  });
});
