// Wiring of reconciliation for createApp (the console's 对账 page), the CLI and the jobs: one call,
// so each of them gets the same payment service, registry and refund service.
import type { Knex } from 'knex';
import type { Config } from '../../config';
import { createGatewayRegistry, type GatewayRegistry } from '../../gateways/registry';
import type { Logger } from '../../logger';
import { auditRepo } from '../audit/repo';
import { refundsService } from '../console/refunds/service';
import { paymentModule } from '../payment';
import { paymentRepo } from '../payment/repo';
import type { PaymentService } from '../payment/service';
import { ChannelError } from '../../gateways/types';
import type { StatementSource } from './ledger-check';
import { reconcileRepo, type ReconcileRepo } from './repo';
import { reconcileRoutes } from './routes';
import { reconcileService } from './service';

export function reconcileModule(deps: { config: Config; knex: Knex; logger?: Logger; registry?: GatewayRegistry; payment?: PaymentService }) {
  const { config, knex } = deps;
  const registry = deps.registry ?? createGatewayRegistry(config);
  const payment = deps.payment ?? paymentModule({ config, knex, registry, ...(deps.logger ? { logger: deps.logger } : {}) }).service;
  const audit = auditRepo(knex);
  const refunds = refundsService({ db: knex, audit, gateways: registry, publicUrl: config.publicUrl });
  const repo = reconcileRepo(knex);
  const service = reconcileService({ repo, registry, payment, paymentRepo: paymentRepo(knex), refunds, audit, ...(deps.logger ? { logger: deps.logger } : {}) });
  return { service, payment, registry, repo, refunds, statements: statementSource(registry, repo), routes: () => reconcileRoutes({ reconcile: service }) };
}

/**
 * Statements for the ledger check: downloaded where the channel has an API, and for channels
 * whose statements come as uploaded files (ICBC), the file last uploaded for that day, read again
 * by the adapter's parser. A day with no upload yet is "unavailable", which the check reports.
 */
export function statementSource(registry: GatewayRegistry, repo: Pick<ReconcileRepo, 'uploadedRaw'>): StatementSource {
  return {
    get(id) {
      const a = registry.get(id);
      if (!a?.statementByUpload || !a.parseStatement) return a;
      const parse = a.parseStatement.bind(a);
      return {
        async downloadStatement(day) {
          const raw = await repo.uploadedRaw(id, day);
          if (raw === null) throw new ChannelError(`${id} ${day}: statement file not uploaded yet`);
          return parse(day, Buffer.from(raw, 'utf8'));
        },
      };
    },
  };
}
