// The warning block of 缴费信息确认及支付方式选择: each attempt still payable elsewhere, with its
// way back, when the payer chose another channel.
import type { OpenAttempt } from '../commands/submit-to-channel';
import { choiceLabel } from '../context';
import { M } from '../messages';

export function openElsewhereView(orderNo: string, channel: string, open: OpenAttempt[]) {
  const W = M.openElsewhere;
  return {
    title: W.title, choose: W.choose, payHere: W.payHere(choiceLabel(channel)), payHereNote: W.payHereNote, channel,
    acknowledge: open.map((a) => a.attemptId).join(','),
    items: open.map((a) => ({
      text: W.line(choiceLabel(a.channel), a.until) + (a.orderNo === orderNo ? '' : W.otherOrder(a.orderNo)),
      back: { href: `/pay/orders/${a.orderNo}`, label: W.goBack },
      result: { href: `/pay/orders/${a.orderNo}/result`, label: W.seeResult },
    })),
  };
}
