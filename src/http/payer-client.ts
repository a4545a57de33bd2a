// The payer's browser for 确定缴费: its device from the User-Agent (src/domain/payer-device.ts
// says the rule), or a desktop's QR when the payer asked for it (在电脑上扫码支付), and its address
// as the app sees it (TRUST_PROXY decides whose X-Forwarded-For is believed).
import type { Request } from 'express';
import { deviceOf, plainIp, type PayerClient } from '../domain/payer-device';

export function payerClient(req: Request, wantsQr = false): PayerClient {
  return { device: wantsQr ? 'desktop' : deviceOf(req.get('user-agent')), ip: plainIp(req.ip ?? req.socket.remoteAddress ?? '') };
}
