// The payer's browser for 确定缴费: its device from the User-Agent (src/domain/payer-device.ts
// says the rule), or a desktop's QR when the payer asked for it (在电脑上扫码支付), and its address
// as the app sees it (TRUST_PROXY decides whose X-Forwarded-For is believed), and inside WeChat
// the openid 网页授权 gave this session (微信支付 JSAPI).
import type { Request } from 'express';
import { deviceOf, plainIp, type PayerClient } from '../domain/payer-device';

export function payerClient(req: Request, wantsQr = false): PayerClient {
  const openid = req.session?.wechatOpenid;
  return { device: wantsQr ? 'desktop' : deviceOf(req.get('user-agent')), ip: plainIp(req.ip ?? req.socket.remoteAddress ?? ''), ...(openid ? { openid } : {}) };
}
