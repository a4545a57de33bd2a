// The composition root as tests build it beside the app: buildServices over the test's database,
// quiet, with the gateway registry the test may have wrapped (a flaky network, a slow adapter).
import type { Config } from '../../src/config';
import type { Database } from '../../src/db/connection';
import { createGatewayRegistry, type GatewayRegistry } from '../../src/gateways/registry';
import { createLogger, type Logger } from '../../src/logger';
import { buildServices, type Services } from '../../src/services';

export function testServices(deps: { config: Config; db: Pick<Database, 'knex' | 'pool'>; registry?: GatewayRegistry; logger?: Logger; afterCredit?: () => void }): Services {
  return buildServices({
    config: deps.config, db: deps.db, logger: deps.logger ?? createLogger('silent'),
    ...(deps.registry ? { registry: deps.registry } : {}), ...(deps.afterCredit ? { afterCredit: deps.afterCredit } : {}),
  });
}

/**
 * The configured registry, but UnionPay also serves 代收: the wizard offers it under 财政 only
 * through the non-tax cashier, and these tests send 代收 orders to it directly.
 */
export function unionpayCollectsRegistry(config: Config): GatewayRegistry {
  const base = createGatewayRegistry(config);
  return { ...base, serves: (id: string, c: '财政' | '代收') => base.serves(id, c) || (c === '代收' && id === 'unionpay') };
}

/** A test database's UnionPay world: unionpayCollectsRegistry and the payment service over it. */
export function unionpayCollects(config: Config, db: Pick<Database, 'knex' | 'pool'>) {
  const registry = unionpayCollectsRegistry(config);
  return { registry, payment: testServices({ config, db, registry }).payment };
}
