// Reconciliation built over a bare knex, for tests and scripts that want it with their own registry
// or payment service (the app, the jobs and the CLI build theirs in src/services.ts); and the
// statement source of the ledger check.
import type { Knex } from 'knex';
import type { Config } from '../../config';
import { createGatewayRegistry, type GatewayRegistry } from '../../gateways/registry';
import { ChannelError } from '../../gateways/types';
import type { Logger } from '../../logger';
import { auditRepo } from '../audit/repo';
import { paymentModule } from '../payment';
import type { PaymentService } from '../payment/service';
import { attemptOrders, refundsModule, type RefundsModule } from '../refunds';
import { type StaleOrders, stalePayingOrders } from './attempts-repo';
import type { StatementSource } from './ledger-check';
import { uploadedRaw } from './runs-repo';
import { reconcileService } from './service';

export function reconcileModule(deps: { config: Config; knex: Knex; logger?: Logger; registry?: GatewayRegistry; payment?: PaymentService; refunds?: RefundsModule }) {
  const { config, knex } = deps;
  const logger = deps.logger ?? null;
  const registry = deps.registry ?? createGatewayRegistry(config);
  const payment = deps.payment ?? paymentModule({ config, knex, registry, ...(deps.logger ? { logger: deps.logger } : {}) }).service;
  const audit = auditRepo(knex);
  const refunds = deps.refunds ?? refundsModule({ db: knex, audit, gateways: registry, publicUrl: config.publicUrl, schoolName: config.schoolName, attempts: attemptOrders(knex, payment), logger });
  const service = reconcileService({ db: knex, registry, payment, refunds, audit, logger });
  /** For the active query job (orders still 支付中 at a channel). */
  const repo: StaleOrders = { stalePayingOrders: (cutoff, limit) => stalePayingOrders(knex, cutoff, limit) };
  return {
    service, payment, registry, repo, refunds, statements: statementSource(registry, (channel, day) => uploadedRaw(knex, channel, day)),
  };
}

/**
 * Statements for the ledger check: downloaded where the channel has an API, and for channels
 * whose statements come as uploaded files (ICBC), the file last uploaded for that day, read again
 * by the adapter's parser. A day with no upload yet is "unavailable", which the check reports.
 */
export function statementSource(registry: GatewayRegistry, uploaded: (channel: string, day: string) => Promise<string | null>): StatementSource {
  return {
    get(id) {
      const a = registry.get(id);
      if (!a?.statementByUpload || !a.parseStatement) return a;
      const parse = a.parseStatement.bind(a);
      return {
        async downloadStatement(day) {
          const raw = await uploaded(id, day);
          if (raw === null) throw new ChannelError(`${id} ${day}: statement file not uploaded yet`);
          return parse(day, Buffer.from(raw, 'utf8'));
        },
      };
    },
  };
}
