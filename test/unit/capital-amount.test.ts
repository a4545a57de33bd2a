import { describe, expect, it } from 'vitest';
import { capitalAmount } from '../../src/domain/capital-amount';
import { Decimal } from '../../src/domain/money';

describe('capitalAmount (中文大写金额, People’s Bank rules for bills)', () => {
  it.each([
    // The list.
    ['0.01', '壹分'],
    ['16.15', '壹拾陆元壹角伍分'],
    ['10.50', '壹拾元伍角'],
    ['1010.00', '壹仟零壹拾元整'],
    ['9099.95', '玖仟零玖拾玖元玖角伍分'],
    ['100000.01', '壹拾万元零壹分'],
    ['1000000.00', '壹佰万元整'],
    ['0.00', '零元整'],
  ])('%s → %s', (v, words) => {
    expect(capitalAmount(v)).toBe(words);
  });

  it.each([
    // Below one 元: start at the first non-zero figure.
    ['0.10', '壹角'],
    ['0.5', '伍角'],
    ['0.11', '壹角壹分'],
    ['0.05', '伍分'],
    // 角 without 分 ends at 角; 分 without 角 gets 零.
    ['1.20', '壹元贰角'],
    ['1.02', '壹元零贰分'],
    ['10.05', '壹拾元零伍分'],
    // A leading 1 in the tens is 壹拾; whole 元 end in 整.
    ['10', '壹拾元整'],
    ['11', '壹拾壹元整'],
    ['110', '壹佰壹拾元整'],
    ['249.99', '贰佰肆拾玖元玖角玖分'],
    ['8000', '捌仟元整'],
    ['9350.00', '玖仟叁佰伍拾元整'],
    // Runs of zeros inside the figure: one 零; at the end of a section: none.
    ['1001', '壹仟零壹元整'],
    ['10001', '壹万零壹元整'],
    ['10010', '壹万零壹拾元整'],
    ['100100', '壹拾万零壹佰元整'],
    ['101000', '壹拾万壹仟元整'],
    ['10001000', '壹仟万壹仟元整'],
    ['107000.53', '壹拾万柒仟元伍角叁分'],
    ['1000001000', '壹拾亿零壹仟元整'],
    ['10000000', '壹仟万元整'],
    ['12345678.90', '壹仟贰佰叁拾肆万伍仟陆佰柒拾捌元玖角'],
    // 亿, and a 万 section that is all zeros drops its 万.
    ['100000000', '壹亿元整'],
    ['100000001', '壹亿零壹元整'],
    ['100010000', '壹亿零壹万元整'],
    ['1000010000.10', '壹拾亿零壹万元壹角'],
    ['999999999999.99', '玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分'],
    ['200000000000', '贰仟亿元整'],
  ])('%s → %s', (v, words) => {
    expect(capitalAmount(v)).toBe(words);
  });

  it('takes a Decimal and a negative amount (a refund) gets 负', () => {
    expect(capitalAmount(new Decimal('1099.98'))).toBe('壹仟零玖拾玖元玖角捌分');
    expect(capitalAmount('-0.01')).toBe('负壹分');
  });

  it('refuses amounts finer than a fen instead of rounding money', () => {
    expect(() => capitalAmount('0.001')).toThrow(RangeError);
    expect(() => capitalAmount('NaN')).toThrow(RangeError);
    expect(() => capitalAmount('1e17')).toThrow(RangeError);
  });
});
