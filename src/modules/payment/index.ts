// The payment module's public face, and a payment service built over a bare knex for tests and
// scripts; the app, the jobs and the CLI build theirs in the composition root (src/services.ts).
import type { Knex } from 'knex';
import type { Config } from '../../config';
import { createGatewayRegistry, type GatewayRegistry } from '../../gateways/registry';
import type { Logger } from '../../logger';
import { auditRepo } from '../audit/repo';
import type { NotifyLimit } from './notify-limit';
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
  return { service };
}
