// CHANNELS_FISCAL / CHANNELS_COLLECTED, UNCLOSABLE_ATTEMPT_TTL_MINUTES and
// DUPLICATE_PAYMENT_AUTO_REFUND: parsed once, a bad value stops start-up with one line.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formTargets } from '../../src/http/form-targets';
import { loadConfig } from '../../src/config';
import { expectConfigErrors } from '../helpers/config-errors';
import { CHOICE_LABEL } from '../../src/domain/channels';
import { createGatewayRegistry } from '../../src/gateways/registry';

const dir = mkdtempSync(path.join(tmpdir(), 'cupp-channels-'));
const load = (env: Record<string, string> = {}) => loadConfig({ DATA_DIR: dir, ...env });

describe('channels per category from configuration', () => {
  it('defaults: 财政 → 非税支付; 代收 → 中国工商银行, 微信支付 (图12, 图20); 15-minute bank pages; duplicates refunded', () => {
    const c = load();
    expect(c.channelsByCategory).toEqual({ 财政: ['nontax'], 代收: ['icbc', 'wechat'] });
    expect(c.unclosableAttemptTtlMinutes).toBe(15);
    expect(c.jobs.duplicatePaymentAutoRefund).toBe(true);
    expect(c.jobs.overpaymentAutoRefund).toBe(false);
    const r = createGatewayRegistry(c);
    expect(r.choicesFor('代收').map((x) => x.label)).toEqual(['中国工商银行', '微信支付']);
    expect(r.choicesFor('财政').map((x) => x.label)).toEqual(['非税支付']);
    expect(r.configured()).toEqual(['nontax', 'icbc', 'wechat']);
  });

  it('takes a list in its order, spaces allowed, with the 支付方式 labels of 图12/图20', () => {
    const c = load({ CHANNELS_COLLECTED: ' unionpay, alipay ,wechat,icbc', UNCLOSABLE_ATTEMPT_TTL_MINUTES: '5', DUPLICATE_PAYMENT_AUTO_REFUND: 'off' });
    expect(c.channelsByCategory.代收).toEqual(['unionpay', 'alipay', 'wechat', 'icbc']);
    expect(c.unclosableAttemptTtlMinutes).toBe(5);
    expect(c.jobs.duplicatePaymentAutoRefund).toBe(false);
    const r = createGatewayRegistry(c);
    expect(r.choicesFor('代收').map((x) => x.label)).toEqual(['银联支付', '支付宝', '微信支付', '中国工商银行']);
    expect(r.serves('alipay', '代收')).toBe(true);
    expect(r.serves('alipay', '财政')).toBe(false);
    expect(CHOICE_LABEL.nontax).toBe('非税支付');
  });

  it('refuses an unknown id, an empty list, a repeated id, a channel in a category it cannot serve: one line naming the variable', () => {
    const bad: [Record<string, string>, RegExp][] = [
      [{ CHANNELS_COLLECTED: 'icbc,paypal' }, /^配置错误 CHANNELS_COLLECTED: unknown channel "paypal"/],
      [{ CHANNELS_COLLECTED: '' }, /^配置错误 CHANNELS_COLLECTED: must list at least one channel/],
      [{ CHANNELS_COLLECTED: ' , ' }, /^配置错误 CHANNELS_COLLECTED: must list at least one channel/],
      [{ CHANNELS_COLLECTED: 'icbc,wechat,icbc' }, /^配置错误 CHANNELS_COLLECTED: channel "icbc" is listed twice$/],
      [{ CHANNELS_COLLECTED: 'nontax' }, /^配置错误 CHANNELS_COLLECTED: channel "nontax" cannot serve 代收 items/],
      [{ CHANNELS_FISCAL: 'wechat' }, /^配置错误 CHANNELS_FISCAL: channel "wechat" cannot serve 财政 items/],
      [{ CHANNELS_FISCAL: 'NONTAX' }, /^配置错误 CHANNELS_FISCAL: unknown channel "NONTAX"/],
      [{ UNCLOSABLE_ATTEMPT_TTL_MINUTES: '0' }, /^配置错误 UNCLOSABLE_ATTEMPT_TTL_MINUTES: /],
      [{ DUPLICATE_PAYMENT_AUTO_REFUND: 'maybe' }, /^配置错误 DUPLICATE_PAYMENT_AUTO_REFUND: /],
    ];
    expectConfigErrors(load, bad);
  });

  it('the CSP form-action: ourselves and the gateways of the configured channels that take a form post', () => {
    const urls = { NONTAX_URL: 'https://nontax.example.test/gw', ICBC_URL: 'https://gw.icbc.example.test/ui', UNIONPAY_URL: 'https://gateway.unionpay.example.test', ALIPAY_URL: 'https://openapi.alipay.example.test/gateway.do', WECHAT_URL: 'https://api.mch.weixin.example.test' };
    // 微信支付's target is its H5 cashier host (a phone's 确定缴费 is a redirect to h5_url), not the API.
    expect(formTargets(load(urls))).toEqual(["'self'", 'https://nontax.example.test', 'https://gw.icbc.example.test', 'https://wx.tenpay.com']);
    expect(formTargets(load({ ...urls, CHANNELS_COLLECTED: 'wechat,unionpay,alipay' }))).toEqual([
      "'self'", 'https://nontax.example.test', 'https://wx.tenpay.com', 'https://gateway.unionpay.example.test', 'https://openapi.alipay.example.test',
    ]);
    expect(formTargets(load({ ...urls, CHANNELS_COLLECTED: 'icbc', WECHAT_H5_ORIGIN: 'https://h5.example.test/x' }))).toEqual(["'self'", 'https://nontax.example.test', 'https://gw.icbc.example.test']);
    expect(formTargets(load({ ...urls, WECHAT_H5_ORIGIN: 'https://h5.example.test/x' }))).toContain('https://h5.example.test');
  });
});
