// 中文大写金额 for bills and receipts, written by the People's Bank rules for filling in bills
// (《支付结算办法》附件《正确填写票据和结算凭证的基本规定》):
// - a leading 1 in the tens is written 壹拾 (10 → 壹拾元整), never 拾元整, so nothing can be prefixed;
// - a run of zeros inside a 万/亿 section is written as one 零 (1010 → 壹仟零壹拾, 100100 → 壹拾万零壹佰);
// - zeros at the end of a section are not written: the rules make that 零 optional (107000.53 →
//   壹拾万柒仟元…), and we leave optional zeros out everywhere, as 10.50 → 壹拾元伍角 does;
// - a section that is all zeros drops its 万 and stands as one 零 before what follows (1000001000 → 壹拾亿零壹仟);
// - an amount in whole 元 ends in 整; one that ends at 角 is left as is (10.50 → 壹拾元伍角);
// - when 角 is 0 but 分 is not, 零 stands between 元 and 分 (100000.01 → 壹拾万元零壹分);
// - an amount below one 元 starts at its first non-zero figure (0.01 → 壹分).
import { Decimal } from './money';

const DIGITS = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'] as const;
const UNITS = ['', '拾', '佰', '仟'] as const;
const SECTIONS = ['', '万', '亿', '万亿'] as const;
/** numeric(14,2) holds at most 12 integer digits; 万亿 covers 16, which is plenty. */
const MAX_INTEGER_DIGITS = 16;

/** 9099.95 → 玖仟零玖拾玖元玖角伍分. Refuses amounts finer than a fen rather than rounding money. */
export function capitalAmount(value: Decimal.Value): string {
  const d = new Decimal(value);
  if (!d.isFinite()) throw new RangeError(`not an amount: ${String(value)}`);
  if (!d.times(100).isInteger()) throw new RangeError(`amount ${d.toString()} has more than two decimals`);
  if (d.isNegative() && !d.isZero()) return `负${capitalAmount(d.negated())}`;

  const [intPart, frac] = d.toFixed(2).split('.') as [string, string];
  if (intPart.length > MAX_INTEGER_DIGITS) throw new RangeError(`amount ${d.toFixed(2)} is too large`);
  const jiao = Number(frac[0]);
  const fen = Number(frac[1]);
  const yuan = integerWords(intPart);

  if (!yuan && !jiao && !fen) return '零元整';
  let out = yuan ? `${yuan}元` : '';
  if (jiao) out += `${DIGITS[jiao]}角`;
  else if (fen && yuan) out += '零';
  if (fen) out += `${DIGITS[fen]}分`;
  if (!jiao && !fen) out += '整';
  return out;
}

/** The 元 part without its 元; '' for zero. */
function integerWords(digits: string): string {
  let out = '';
  let zeroPending = false;
  let sectionHasDigit = false;
  for (let i = 0; i < digits.length; i++) {
    const pos = digits.length - 1 - i;
    const unit = pos % 4;
    const d = Number(digits[i]);
    if (d === 0) {
      // Only a zero followed later by a non-zero figure is written, and only once per run.
      if (out) zeroPending = true;
    } else {
      if (zeroPending) out += '零';
      zeroPending = false;
      out += `${DIGITS[d]}${UNITS[unit]}`;
      sectionHasDigit = true;
    }
    if (unit === 0) {
      if (sectionHasDigit) {
        out += SECTIONS[pos / 4];
        zeroPending = false;
      }
      sectionHasDigit = false;
    }
  }
  return out;
}
