// Wiring of 学费缴费 for createApp and for the scheduled jobs (src/jobs: expiry, active query,
// reconciliation): one call, so app.ts stays a list.
import type { Knex } from 'knex';
import type { Config } from '../../config';
import { createGatewayRegistry, type GatewayRegistry } from '../../gateways/registry';
import type { Logger } from '../../logger';
import { auditRepo } from '../audit/repo';
import type { NotifyLimit } from './notify-limit';
import { paymentNotifyRoutes, paymentRoutes } from './routes';
import { paymentService } from './service';

export { attemptView, channelView, type ChannelViewDeps } from './channel-view';
export { paymentRepo, type PaymentRepo } from './repo';
export { paymentService, type PaymentService } from './service';

export function paymentModule(deps: { config: Config; knex: Knex; logger?: Logger; registry?: GatewayRegistry; notifyLimit?: NotifyLimit }) {
  const service = paymentService({
    db: deps.knex, audit: auditRepo(deps.knex),
    registry: deps.registry ?? createGatewayRegistry(deps.config), config: deps.config, ...(deps.logger ? { logger: deps.logger } : {}),
    ...(deps.notifyLimit ? { notifyLimit: deps.notifyLimit } : {}),
  });
  return {
    service,
    /** Mount before the session, body parsers and CSRF: server-to-server, signed, no login. */
    notifyRoutes: () => paymentNotifyRoutes({ payment: service }),
    routes: () => paymentRoutes({ payment: service, sandboxUrl: deps.config.sandbox.enabled ? deps.config.sandbox.url : null }),
  };
}
