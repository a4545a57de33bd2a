// Where the payer pays from, told by the browser's User-Agent, and so how a wallet channel takes
// the payment: a QR code on a desktop (scanned with the phone), the channel's mobile web payment
// on a phone (微信支付 H5, 支付宝 手机网站支付, 银联 channelType 08), and inside WeChat's own
// browser only what works there. The rule, in this order:
//  1. `MicroMessenger` (WeChat's built-in browser) → 'wechat', unless it is WeChat for Windows or
//     Mac (`WindowsWechat`, `MacWechat`): on a computer a QR code is what the phone can scan.
//  2. `Mobi` (Mobile Safari, Chrome and Firefox for phones), `Android`, `iPhone`, `iPad`, `iPod`,
//     `HarmonyOS`, `OpenHarmony` or `Windows Phone` → 'phone' (a tablet runs the wallet apps too).
//  3. Anything else, or no User-Agent at all → 'desktop'.
// A guess from a header can be wrong (iPadOS Safari calls itself a Mac): the confirm page always
// lets the payer ask for the QR code instead (在电脑上扫码支付), and a desktop's QR page works
// from any phone.
export type PayerDevice = 'desktop' | 'phone' | 'wechat';

/**
 * The payer's browser as a channel's createPayment needs it: the device ('desktop' also when the
 * payer asked for the QR code on a phone) and the address the request came from (微信支付 H5's
 * scene_info.payer_client_ip).
 */
export interface PayerClient {
  device: PayerDevice;
  ip: string;
  /** Inside WeChat with JSAPI on: the payer's openid under the school's official account (网页授权). */
  openid?: string;
}

const DESKTOP_WECHAT = /WindowsWechat|MacWechat/i;
const PHONE = /Mobi|Android|iPhone|iPad|iPod|HarmonyOS|OpenHarmony|Windows Phone/i;

export function deviceOf(userAgent: string | undefined): PayerDevice {
  const ua = userAgent ?? '';
  if (/MicroMessenger/i.test(ua) && !DESKTOP_WECHAT.test(ua)) return 'wechat';
  return PHONE.test(ua) ? 'phone' : 'desktop';
}

/** On a phone: the channel's mobile payment rather than a QR code the payer would have to scan from their own screen. */
export const isHandheld = (d: PayerDevice) => d !== 'desktop';

/** The request's address as WeChat wants it: an IPv4-mapped IPv6 address written as the IPv4 one. */
export const plainIp = (ip: string) => ip.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, '$1');
