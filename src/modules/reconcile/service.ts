// 对账: each channel's daily statement against our payments (./commands/reconcile-statement.ts),
// and the overpayments that come out of a bill paid twice, flagged here and refunded by the
// refunds module.
import type { Knex } from 'knex';
import { AppError } from '../../domain/app-error';
import { businessDate } from '../../domain/business-date';
import type { GatewayRegistry } from '../../gateways/registry';
import { ChannelError, type Statement } from '../../gateways/types';
import type { Logger } from '../../logger';
import type { AuditRepo } from '../audit/repo';
import type { PaymentService } from '../payment/service';
import type { RefundsModule } from '../refunds';
import { addDays, CATCH_UP_DAYS, channelsToReconcile } from './channels';
import { autoRefundOverpayments } from './commands/auto-refund-overpayments';
import { flagOverpayments } from './commands/flag-overpayments';
import { reconcileStatement, type RunResult } from './commands/reconcile-statement';
import { doneDays, listDifferences, listRuns } from './runs-repo';

export type { RunResult };

export interface ReconcileDeps {
  db: Knex;
  registry: GatewayRegistry;
  payment: Pick<PaymentService, 'credit'>;
  /** Refunds of overpayments, and our refunds of a day for the statement's refund lines. */
  refunds: RefundsModule;
  audit: AuditRepo;
  logger?: Logger | null;
}

export function reconcileService(deps: ReconcileDeps) {
  const { db, registry } = deps;
  const run = (channel: string, day: string, trigger: string, statementOf: () => Promise<Statement>) => reconcileStatement(deps, channel, day, trigger, statementOf);

  async function reconcile(channel: string, day: string, trigger: 'job' | 'cli' | 'console' = 'job'): Promise<RunResult> {
    const adapter = registry.get(channel);
    if (!adapter) throw new Error(`channel ${channel} is not configured`);
    return run(channel, day, trigger, () => adapter.downloadStatement(day));
  }

  return {
    reconcile,

    /**
     * A statement file finance uploaded (channels that deliver statements only as files: ICBC):
     * read by the adapter's own parser, then reconciled exactly like a downloaded statement. A
     * file the parser refuses is refused whole, before any run is recorded: an AppError on the
     * file field, in the parser's words.
     */
    async reconcileFile(channel: string, day: string, file: Uint8Array): Promise<RunResult> {
      const adapter = registry.get(channel);
      if (!adapter?.parseStatement) throw new Error(`channel ${channel} takes no statement upload`);
      let statement: Statement;
      try {
        statement = adapter.parseStatement(day, file);
      } catch (e) {
        if (e instanceof ChannelError) throw new AppError('invalid', e.message, 'file');
        throw e;
      }
      return run(channel, day, 'upload', () => Promise.resolve(statement));
    },

    /** The channel's statements come as files finance uploads (its adapter reads them). */
    takesUpload: (channel: string) => !!registry.get(channel)?.parseStatement,

    scanOverpayments: () => flagOverpayments(db),

    overpaymentJob: (autoRefund: boolean, duplicateAutoRefund = false) => autoRefundOverpayments(deps, autoRefund, duplicateAutoRefund),

    /**
     * The daily job: each channel's statements up to `yesterday` that no run has reconciled yet,
     * oldest first, so days missed while the platform or a channel was down are caught up. Bounded
     * to CATCH_UP_DAYS back, and never before the channel's first successful run (a channel added
     * today does not fetch a week of statements it never had); a channel never reconciled starts
     * with yesterday. A day whose download fails is simply tried again on the next run.
     */
    async reconcileDue(yesterday: string): Promise<RunResult[]> {
      const out = [];
      const from = addDays(yesterday, -(CATCH_UP_DAYS - 1));
      for (const channel of await channelsToReconcile(db, registry, from)) {
        // Its statements arrive as files finance uploads: nothing to fetch, and a missing file is
        // not a failed download to retry every hour.
        if (registry.get(channel)?.statementByUpload) continue;
        const { first, done } = await doneDays(db, channel, from, yesterday);
        const start = first === null ? yesterday : first > from ? first : from;
        for (let day = start; day <= yesterday; day = addDays(day, 1)) {
          if (done.has(day)) continue;
          out.push(await reconcile(channel, day, 'job'));
        }
      }
      return out;
    },

    /** The console's 对账 page: runs, differences (of one run or the latest), overpayment flags, channels. */
    async page(runId?: string) {
      const [runs, differences, overpayments] = await Promise.all([listRuns(db), listDifferences(db, runId), deps.refunds.overpayments()]);
      const channels = await channelsToReconcile(db, registry, addDays(businessDate(), -CATCH_UP_DAYS));
      return { runs, differences, overpayments, channels, downloadable: channels.filter((c) => !registry.get(c)?.statementByUpload), uploadable: channels.filter((c) => !!registry.get(c)?.parseStatement) };
    },
  };
}

export type ReconcileService = ReturnType<typeof reconcileService>;
