// 微信支付 H5, simulated (the other side of src/gateways/wechat/prepay.ts h5Order), no easier than
// WeChat:
//  - POST /v3/pay/transactions/h5, signed like every API call (the simulator's /v3 guard), needs
//    scene_info.payer_client_ip (an IPv4 or IPv6 address) and scene_info.h5_info.type (Wap, iOS or
//    Android); an out_trade_no WeChat already holds as another product (a Native QR) is refused
//    400 INVALID_REQUEST "201 商户订单号重复" (yansongda/pay issue 705). Each call answers a new
//    h5_url (…/h5/checkmweb?prepay_id=…&package=…), valid 5 minutes.
//  - GET h5_url is WeChat's middle page, which launches the WeChat app. It refuses as WeChat does
//    (the FAQ of payjs.cn/view/9vw7; pingpongx's WeChat Pay notes): a link older than 5 minutes
//    "支付请求已失效，请重新发起支付"; no Referer "商家参数格式有误，请联系商家解决" (the payer must arrive
//    by a page of the merchant, not a typed link); a Referer of another domain than the one the
//    merchant registered (产品中心 → H5支付域名; here PUBLIC_URL's host) "商家存在未配置的参数，
//    请联系商家解决"; inside WeChat's own browser "请在微信外打开订单，进行支付".
//  - The page after it stands for the WeChat app's cashier: 确认支付 pays (the same signed,
//    encrypted TRANSACTION.SUCCESS notification as Native, trade_type MWEB), 取消支付 walks away;
//    either way 完成 / 返回商户 goes to redirect_url, as WeChat returns the payer there.
import { randomBytes, randomInt } from 'node:crypto';
import { isIP } from 'node:net';
import { Router, type Request, type Response } from 'express';
import { fromFen, plainMoney } from '../../domain/money';
import { checkoutRoutes, newTrade, type SimTrade, type TradeBook } from '../kit';

/** h5_url's life: "MWEB_URL生成后，有效期为5分钟". */
export const H5_LINK_MS = 5 * 60_000;
const H5_TYPES = ['Wap', 'iOS', 'Android'];

interface H5Link { orderNo: string; pkg: string; issuedAt: number }

export interface H5Deps {
  settings: { appId: string; mchId: string };
  book: TradeBook;
  send(res: Response, status: number, body?: object): void;
  json(req: Request): Record<string, unknown>;
  pay(t: SimTrade): void;
  /** The host the merchant registered for H5 (PUBLIC_URL's). */
  registeredHost: string;
  merchantName: string;
}

export function wechatH5(d: H5Deps) {
  const links = new Map<string, H5Link>();
  const refuse = (res: Response, message: string) => res.status(400).type('text/plain; charset=utf-8').send(message);

  /** POST /v3/pay/transactions/h5, on the simulator's signed API router. */
  function prepay(api: Router) {
    api.post('/v3/pay/transactions/h5', (req, res) => {
      const b = d.json(req);
      const amount = b.amount as { total?: unknown } | undefined;
      const scene = b.scene_info as { payer_client_ip?: unknown; h5_info?: { type?: unknown } } | undefined;
      if (b.mchid !== d.settings.mchId || b.appid !== d.settings.appId) return d.send(res, 400, { code: 'MCH_NOT_EXISTS', message: '商户号不存在' });
      if (typeof b.out_trade_no !== 'string' || typeof b.notify_url !== 'string' || !Number.isSafeInteger(amount?.total) || (amount!.total as number) <= 0) {
        return d.send(res, 400, { code: 'PARAM_ERROR', message: '参数错误' });
      }
      if (typeof scene?.payer_client_ip !== 'string' || !isIP(scene.payer_client_ip)) return d.send(res, 400, { code: 'PARAM_ERROR', message: '输入源“/body/scene_info/payer_client_ip”映射到值字段“用户终端IP”字符串规则校验失败' });
      if (!H5_TYPES.includes(String(scene.h5_info?.type))) return d.send(res, 400, { code: 'PARAM_ERROR', message: '输入源“/body/scene_info/h5_info/type”映射到值字段“场景类型”字符串规则校验失败' });
      const existing = d.book.find(b.out_trade_no);
      if (existing?.status === 'PAID') return d.send(res, 400, { code: 'ORDERPAID', message: '该订单已支付' });
      if (existing && (existing.extra.tradeType ?? 'NATIVE') !== 'MWEB') return d.send(res, 400, { code: 'INVALID_REQUEST', message: '201 商户订单号重复' });
      if (existing && existing.fen !== BigInt(amount!.total as number)) return d.send(res, 400, { code: 'INVALID_REQUEST', message: '订单金额与原订单不一致' });
      if (existing?.status === 'CLOSED') return d.send(res, 400, { code: 'ORDER_CLOSED', message: '订单已关闭' });
      const t = d.book.add(existing ?? newTrade({
        channelOrderId: b.out_trade_no, merchantId: d.settings.mchId, orderNo: b.out_trade_no, fen: BigInt(amount!.total as number), subject: String(b.description ?? ''),
        notifyUrl: b.notify_url, returnUrl: '', expireAt: typeof b.time_expire === 'string' ? new Date(b.time_expire) : null, extra: { tradeType: 'MWEB' },
      }));
      // As the last prepay named it: what a test (or a curious demo) can read back.
      t.extra.payerClientIp = scene.payer_client_ip;
      const prepayId = `wx${Date.now()}${randomBytes(8).toString('hex')}`;
      const pkg = String(randomInt(1_000_000_000, 2_000_000_000));
      links.set(prepayId, { orderNo: t.orderNo, pkg, issuedAt: Date.now() });
      d.send(res, 200, { h5_url: `${req.protocol}://${req.get('host')}${req.baseUrl}/h5/checkmweb?prepay_id=${prepayId}&package=${pkg}` });
    });
  }

  const linkOf = (req: Request) => {
    const l = links.get(String(req.query.prepay_id ?? ''));
    return l && l.pkg === String(req.query.package ?? '') ? l : undefined;
  };

  /** WeChat's middle page: the checks it makes before it launches the app. */
  function middlePage(req: Request, res: Response, next: () => void) {
    const link = linkOf(req);
    if (!link || Date.now() - link.issuedAt > H5_LINK_MS) return refuse(res, '支付请求已失效，请重新发起支付');
    if (/MicroMessenger/i.test(req.get('user-agent') ?? '')) return refuse(res, '请在微信外打开订单，进行支付');
    const referer = req.get('referer');
    if (!referer) return refuse(res, '商家参数格式有误，请联系商家解决');
    let host = '';
    try {
      host = new URL(referer).hostname;
    } catch {
      return refuse(res, '商家参数格式有误，请联系商家解决');
    }
    if (host !== d.registeredHost) return refuse(res, '商家存在未配置的参数，请联系商家解决');
    next();
  }

  const back = (req: Request) => (typeof req.query.redirect_url === 'string' && /^https?:\/\//.test(req.query.redirect_url) ? req.query.redirect_url : null);
  const query = (req: Request) => new URLSearchParams(Object.entries(req.query).filter((e): e is [string, string] => typeof e[1] === 'string')).toString();

  /** The middle page, then the app's cashier (确认支付 / 取消支付) and where it returns the payer. */
  const page = Router();
  page.get('/h5/checkmweb', middlePage);
  page.use(checkoutRoutes({
    path: '/h5/checkmweb',
    find(req) {
      const link = linkOf(req);
      return link ? d.book.find(link.orderNo) : undefined;
    },
    notFound: (_req, res) => refuse(res, '支付请求已失效，请重新发起支付'),
    render(req, res, t, state) {
      res.render('sandbox/wechat-h5', {
        title: '微信支付', product: 'H5 支付', t, state, amount: plainMoney(fromFen(t.fen)), merchant: d.merchantName, back: back(req), action: `${req.baseUrl}/h5/checkmweb`, query: query(req),
      });
    },
    pay: d.pay,
  }));
  return { prepay, page };
}
