// 微信支付 JSAPI and the official account's 网页授权, simulated (the other side of
// src/gateways/wechat/jsapi.ts):
//  - GET /connect/oauth2/authorize (open.weixin.qq.com): the AppID must be the merchant's, scope
//    snsapi_base or snsapi_userinfo, response_type code, and redirect_uri on the domain the school
//    registered for 网页授权 (here PUBLIC_URL's host; WeChat refuses another with "redirect_uri
//    域名与后台配置不一致"); it answers a redirect to redirect_uri?code=…&state=… — the code lives
//    5 minutes and is good once ("code作为换取access_token的票据，每次用户授权带上的code将不一样，
//    code只能使用一次，5分钟未被使用自动过期", WeChat's 网页授权 page).
//  - GET /sns/oauth2/access_token (api.weixin.qq.com): AppID, the account's AppSecret (the file
//    wechat-oa-secret under the key dir, shared with the platform as WECHAT_OA_SECRET_FILE) and
//    the code → {access_token, expires_in, refresh_token, openid, scope}; else {errcode, errmsg}
//    (40029 invalid code, 40125 invalid appsecret).
//  - POST /v3/pay/transactions/jsapi, signed like every call, needs payer.openid issued here for
//    this AppID; one product per out_trade_no, as for H5 ("201 商户订单号重复").
//  - GET /jsapi/cashier stands for what WeChat's client shows when the page calls
//    getBrandWCPayRequest: it checks paySign with the merchant's key over
//    "appId\ntimeStamp\nnonceStr\npackage\n" as the client does (a wrong one: "支付验证签名失败"),
//    then 确认支付 / 取消支付; 完成 goes back to `back` (the platform's waiting page), as the page's
//    callback would. In a real phone the page's script and WeChat's JS bridge do this.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Router, type Request, type Response } from 'express';
import { fromFen, plainMoney } from '../../domain/money';
import { rsaVerify } from '../../gateways/common/crypto';
import { checkoutRoutes, newTrade, type SimTrade, type TradeBook } from '../kit';

const CODE_MS = 5 * 60_000;

/** The official account's AppSecret the sandbox shares with the platform (WECHAT_OA_SECRET_FILE). */
export function ensureOaSecret(dir: string): string {
  const file = path.join(dir, 'wechat-oa-secret');
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, randomBytes(16).toString('hex'), { mode: 0o600 });
  }
  return readFileSync(file, 'utf8').trim();
}

export interface JsapiDeps {
  settings: { appId: string; mchId: string };
  book: TradeBook;
  send(res: Response, status: number, body?: object): void;
  json(req: Request): Record<string, unknown>;
  pay(t: SimTrade): void;
  merchantPublicKey: string;
  registeredHost: string;
  merchantName: string;
  keyDir: string;
}

export function wechatJsapi(d: JsapiDeps) {
  const secret = ensureOaSecret(d.keyDir);
  const codes = new Map<string, { openid: string; scope: string; issuedAt: number }>();
  const openids = new Set<string>();
  const prepays = new Map<string, string>();
  const page = Router();
  const refuse = (res: Response, message: string) => res.status(400).type('text/plain; charset=utf-8').send(message);

  page.get('/connect/oauth2/authorize', (req, res) => {
    const { appid, redirect_uri: to, response_type: type, scope, state } = req.query;
    if (appid !== d.settings.appId) return refuse(res, '参数错误：appid');
    if (type !== 'code' || (scope !== 'snsapi_base' && scope !== 'snsapi_userinfo')) return refuse(res, '参数错误：scope');
    let back: URL;
    try {
      back = new URL(String(to));
    } catch {
      return refuse(res, 'redirect_uri 参数错误');
    }
    if (back.hostname !== d.registeredHost) return refuse(res, 'redirect_uri域名与后台配置不一致，错误码10003');
    // The payer is the same person on every visit of this browser in the sandbox: one openid per code is enough here.
    const openid = `o${randomBytes(14).toString('base64url').slice(0, 27)}`;
    openids.add(openid);
    const code = randomBytes(16).toString('hex');
    codes.set(code, { openid, scope: String(scope), issuedAt: Date.now() });
    back.searchParams.set('code', code);
    if (typeof state === 'string') back.searchParams.set('state', state);
    res.redirect(302, back.toString());
  });

  page.get('/sns/oauth2/access_token', (req, res) => {
    const { appid, secret: given, code, grant_type: grant } = req.query;
    if (appid !== d.settings.appId || given !== secret) return res.json({ errcode: 40125, errmsg: 'invalid appsecret' });
    const c = typeof code === 'string' ? codes.get(code) : undefined;
    if (grant !== 'authorization_code' || !c || Date.now() - c.issuedAt > CODE_MS) return res.json({ errcode: 40029, errmsg: 'invalid code' });
    codes.delete(String(code));
    res.json({ access_token: randomBytes(32).toString('hex'), expires_in: 7200, refresh_token: randomBytes(32).toString('hex'), openid: c.openid, scope: c.scope });
  });

  /** POST /v3/pay/transactions/jsapi, on the simulator's signed API router. */
  function prepay(api: Router) {
    api.post('/v3/pay/transactions/jsapi', (req, res) => {
      const b = d.json(req);
      const amount = b.amount as { total?: unknown } | undefined;
      const payer = b.payer as { openid?: unknown } | undefined;
      if (b.mchid !== d.settings.mchId || b.appid !== d.settings.appId) return d.send(res, 400, { code: 'MCH_NOT_EXISTS', message: '商户号不存在' });
      if (typeof b.out_trade_no !== 'string' || typeof b.notify_url !== 'string' || !Number.isSafeInteger(amount?.total) || (amount!.total as number) <= 0) {
        return d.send(res, 400, { code: 'PARAM_ERROR', message: '参数错误' });
      }
      if (typeof payer?.openid !== 'string' || !openids.has(payer.openid)) return d.send(res, 400, { code: 'PARAM_ERROR', message: 'openid和appid不匹配' });
      const existing = d.book.find(b.out_trade_no);
      if (existing?.status === 'PAID') return d.send(res, 400, { code: 'ORDERPAID', message: '该订单已支付' });
      if (existing && (existing.extra.tradeType ?? 'NATIVE') !== 'JSAPI') return d.send(res, 400, { code: 'INVALID_REQUEST', message: '201 商户订单号重复' });
      if (existing && existing.fen !== BigInt(amount!.total as number)) return d.send(res, 400, { code: 'INVALID_REQUEST', message: '订单金额与原订单不一致' });
      const t = d.book.add(existing ?? newTrade({
        channelOrderId: b.out_trade_no, merchantId: d.settings.mchId, orderNo: b.out_trade_no, fen: BigInt(amount!.total as number), subject: String(b.description ?? ''),
        notifyUrl: b.notify_url, returnUrl: '', expireAt: typeof b.time_expire === 'string' ? new Date(b.time_expire) : null, extra: { tradeType: 'JSAPI' },
      }));
      t.extra.openid = payer.openid;
      const prepayId = `wx${Date.now()}${randomBytes(8).toString('hex')}`;
      prepays.set(prepayId, t.orderNo);
      d.send(res, 200, { prepay_id: prepayId });
    });
  }

  /** The client's own check of what the page handed it. */
  const signedRequest = (req: Request) => {
    const q = req.query as Record<string, string | undefined>;
    const prepayId = /^prepay_id=(.+)$/.exec(q.package ?? '')?.[1];
    const message = `${q.appId ?? ''}\n${q.timeStamp ?? ''}\n${q.nonceStr ?? ''}\n${q.package ?? ''}\n`;
    if (!prepayId || q.appId !== d.settings.appId || q.signType !== 'RSA' || !q.paySign || !rsaVerify(message, q.paySign, d.merchantPublicKey)) return null;
    return prepays.get(prepayId) ?? null;
  };
  const back = (req: Request) => (typeof req.query.back === 'string' && /^https?:\/\//.test(req.query.back) ? req.query.back : null);
  const query = (req: Request) => new URLSearchParams(Object.entries(req.query).filter((e): e is [string, string] => typeof e[1] === 'string')).toString();

  page.get('/jsapi/cashier', (req, res, next) => (signedRequest(req) ? next() : refuse(res, '支付验证签名失败')));
  page.use(checkoutRoutes({
    path: '/jsapi/cashier',
    find(req) {
      const orderNo = signedRequest(req);
      return orderNo ? d.book.find(orderNo) : undefined;
    },
    notFound: (_req, res) => refuse(res, '支付验证签名失败'),
    render(req, res, t, state) {
      res.render('sandbox/wechat-h5', {
        title: '微信支付', product: 'JSAPI 支付', t, state, amount: plainMoney(fromFen(t.fen)), merchant: d.merchantName, back: back(req), action: `${req.baseUrl}/jsapi/cashier`, query: query(req),
      });
    },
    pay: d.pay,
  }));
  return { prepay, page };
}
