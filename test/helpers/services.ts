// The composition root as tests build it beside the app: buildServices over the test's database,
// quiet, with the gateway registry the test may have wrapped (a flaky network, a slow adapter).
import type { Config } from '../../src/config';
import type { Database } from '../../src/db/connection';
import type { GatewayRegistry } from '../../src/gateways/registry';
import { createLogger, type Logger } from '../../src/logger';
import { buildServices, type Services } from '../../src/services';

export function testServices(deps: { config: Config; db: Pick<Database, 'knex' | 'pool'>; registry?: GatewayRegistry; logger?: Logger; afterCredit?: () => void }): Services {
  return buildServices({
    config: deps.config, db: deps.db, logger: deps.logger ?? createLogger('silent'),
    ...(deps.registry ? { registry: deps.registry } : {}), ...(deps.afterCredit ? { afterCredit: deps.afterCredit } : {}),
  });
}
