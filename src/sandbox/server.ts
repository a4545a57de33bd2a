// The outside world in a box: simulated payment channels on their own port. Each channel's
// simulator is added by the issue that builds that channel. The platform talks to it only over
// HTTP, exactly as it would talk to the real channels.
import type { Server } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import type { Config } from '../config';
import { viewHelpers } from '../http/view-helpers';
import type { Logger } from '../logger';
import { ebillSandbox, type EbillSandbox } from './ebill';
import { createControl, type SandboxControl } from './control';
import { sandboxKeyDir } from './keys';
import { createAlipaySimulator, type AlipaySimulator } from './alipay/simulator';
import { createIcbcSimulator, type IcbcSimulator } from './icbc/simulator';
import { createNontaxSimulator, type NontaxSimulator } from './nontax/simulator';
import { createUnionpaySimulator, type UnionpaySimulator } from './unionpay/simulator';
import { createWechatSimulator, type WechatSimulator } from './wechat/simulator';
import { useViews } from '../http/views';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export type SandboxApp = express.Express & { nontax: NontaxSimulator; control: SandboxControl; wechat: WechatSimulator; icbc: IcbcSimulator; alipay: AlipaySimulator; unionpay: UnionpaySimulator; ebill: EbillSandbox['control']; stop(): void };

export function createSandboxApp(opts: { config: Config; logger?: Logger; keyDir?: string }): SandboxApp {
  const app = express();
  app.disable('x-powered-by');
  useViews(app, path.join(root, 'views'), { cache: opts.config.env !== 'development' });
  Object.assign(app.locals, viewHelpers, { schoolName: opts.config.schoolName });
  app.get('/', (_req, res) => res.type('text/plain; charset=utf-8').send('支付渠道沙箱 (sandbox)'));
  // Browsers ask every origin for an icon; an empty answer keeps their consoles clean.
  app.get('/favicon.ico', (_req, res) => res.status(204).end());
  // One fault/notification control shared by every simulator, the non-tax platform's too.
  const keyDir = opts.keyDir ?? sandboxKeyDir(opts.config.dataDir);
  const control = createControl({ timeScale: opts.config.sandbox.timeScale, logger: opts.logger });
  const nontax = createNontaxSimulator({ ...opts, control, keyDir });
  app.use('/nontax', control.downGuard('nontax'), nontax.router);
  // The non-tax platform's e-bill service: 票据代码, 票据号码 and 校验码 for each paid receipt.
  // The same platform: down together with its gateway (a down fault on "nontax").
  const ebill = ebillSandbox({ appId: opts.config.ebill.appId, secret: opts.config.ebill.secret });
  app.use('/ebill', control.downGuard('nontax'), ebill.router);
  // Card and wallet channels.
  const ch = opts.config.channels;
  const wechat = createWechatSimulator({ ...opts, control, keyDir, settings: { appId: ch.wechat.appId, mchId: ch.wechat.mchId, merchantSerialNo: ch.wechat.merchantSerialNo, platformKeyId: ch.wechat.platformKeyId } });
  const icbc = createIcbcSimulator({ ...opts, control, keyDir, settings: { appId: ch.icbc.appId, merId: ch.icbc.merId, signType: ch.icbc.signType } });
  const alipay = createAlipaySimulator({ ...opts, control, keyDir, settings: { appId: ch.alipay.appId, sellerId: ch.alipay.sellerId } });
  const unionpay = createUnionpaySimulator({ ...opts, control, keyDir, settings: { merId: ch.unionpay.merId, certId: ch.unionpay.certId } });
  app.use(control.router);
  app.use('/wechat', wechat.router);
  app.use('/icbc', icbc.router);
  app.use('/alipay', alipay.router);
  app.use('/unionpay', unionpay.router);
  // The non-tax cashier's 支付宝 / 微信 / 银联 go through these same simulators (as 甘肃省财政厅).
  nontax.connect('alipay', '/alipay', alipay.subPayments);
  nontax.connect('wechat', '/wechat', wechat.subPayments);
  nontax.connect('unionpay', '/unionpay', unionpay.subPayments);
  return Object.assign(app, { nontax, control, wechat, icbc, alipay, unionpay, ebill: ebill.control, stop: () => { nontax.stop(); control.stop(); } });
}

export async function startSandbox(opts: { config: Config; logger: Logger }): Promise<Server> {
  const app = createSandboxApp(opts);
  return new Promise((resolve, reject) => {
    const s = app.listen(opts.config.sandbox.port, '127.0.0.1', () => {
      opts.logger.info(`payment sandbox on ${opts.config.sandbox.url}`);
      resolve(s);
    });
    s.on('close', () => app.stop());
    // A second instance on this host with the sandbox on would find the port taken: say what to do
    // instead of crashing on an unhandled 'error'.
    s.once('error', (err: NodeJS.ErrnoException) => {
      app.stop();
      reject(err.code === 'EADDRINUSE'
        ? new Error(`sandbox port ${opts.config.sandbox.port} is taken: with several instances run one sandbox (npm run sandbox) and start every instance with SANDBOX_EXTERNAL=1`)
        : err);
    });
  });
}
