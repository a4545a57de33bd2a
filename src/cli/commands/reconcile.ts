// `reconcile --channel <name> --date <YYYY-MM-DD> [--file <statement file>]` and `check-ledger [--date <day>]… [--days N] [--channel <name>]…`:
// the same services as the jobs and the console, so a run started here is stored and shown on
// the console's 对账 page like any other.
import { readFileSync } from 'node:fs';
import type { Knex } from 'knex';
import type { Config } from '../../config';
import { poolOver } from '../../db/connection';
import { isAppError } from '../../domain/app-error';
import { businessDate } from '../../domain/business-date';
import { createLogger } from '../../logger';
import { checkChannelStatements, checkLedger } from '../../modules/reconcile/ledger-check';
import { DIFFERENCE_KIND_LABEL as KIND_LABEL } from '../../domain/labels';
import { channelsOf, registeredChannels } from '../../modules/reconcile/channels';
import { buildServices } from '../../services';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** --name value pairs; a name may repeat. */
export function options(args: string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (let i = 0; i < args.length; i++) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(args[i]!);
    if (!m) continue;
    const value = m[2] ?? (args[i + 1] && !args[i + 1]!.startsWith('--') ? args[++i]! : '');
    out.set(m[1]!, [...(out.get(m[1]!) ?? []), value]);
  }
  return out;
}

/** The composition root over the command's database, logging warnings only (the output is the report). */
const servicesFor = (knex: Knex, config: Config) => buildServices({ config, db: { knex, pool: poolOver(knex) }, logger: createLogger('warn') });

export async function reconcileCommand(knex: Knex, config: Config, args: string[], print = console.log): Promise<number> {
  const o = options(args);
  const channel = o.get('channel')?.[0];
  const day = o.get('date')?.[0] ?? businessDate(new Date(Date.now() - 24 * 3600_000));
  const s = servicesFor(knex, config);
  // Any registered channel: one taken off the configured lists still has statements to check.
  const known = registeredChannels(s.gateways);
  if (!channel || !known.includes(channel as never) || !DAY.test(day)) {
    console.error(`用法: npm run cli -- reconcile --channel <${known.join('|')}> --date <YYYY-MM-DD>`);
    return 2;
  }
  // A channel whose statements come as files (ICBC): the file finance got from the bank, read
  // and reconciled exactly as the console's upload does.
  const file = o.get('file')?.[0];
  if (s.reconcile.takesUpload(channel) && !file) {
    console.error(`${channel} 的对账单由银行文件服务下发：npm run cli -- reconcile --channel ${channel} --date <YYYY-MM-DD> --file <对账文件>`);
    return 2;
  }
  let r;
  if (file) {
    if (!s.reconcile.takesUpload(channel)) {
      console.error(`${channel} 的对账单通过接口下载，无需 --file`);
      return 2;
    }
    try {
      r = await s.reconcile.reconcileFile(channel, day, readFileSync(file));
    } catch (e) {
      if (!isAppError(e)) throw e;
      console.error(e.message);
      return 1;
    }
  } else r = await s.reconcile.reconcile(channel, day, 'cli');
  if (r.status === 'failed') {
    console.error(`对账失败（批次 ${r.runId}）：${r.error ?? ''}`);
    return 1;
  }
  print(`对账批次 ${r.runId}  ${channel} ${day}: 对账单 ${r.lines} 笔, 一致 ${r.matched}, 自动补账 ${r.restored}, 差异 ${r.differences.length}`);
  for (const d of r.differences) {
    print(`  ${KIND_LABEL[d.kind]}\t${d.orderNo ?? d.channelOrderId ?? '-'}\t本平台 ${d.ourAmount?.toFixed(2) ?? '-'}\t渠道 ${d.channelAmount?.toFixed(2) ?? '-'}\t${d.action}\t${d.detail}`);
  }
  // Differences left for finance make the exit non-zero; restored ones are done.
  return r.differences.some((d) => d.action === 'proposed') ? 1 : 0;
}

export async function checkLedgerCommand(knex: Knex, config: Config, args: string[], print = console.log): Promise<number> {
  const o = options(args);
  // --days N: the N business days up to yesterday (a week after an outage, a month at closing).
  const back = Number(o.get('days')?.[0] ?? '1');
  const days = o.get('date') ?? Array.from({ length: Number.isInteger(back) && back > 0 ? Math.min(back, 366) : 0 }, (_, i) => businessDate(new Date(Date.now() - (i + 1) * 24 * 3600_000)));
  if (!days.length || days.some((d) => !DAY.test(d))) {
    console.error('用法: npm run cli -- check-ledger [--date YYYY-MM-DD]… [--days N] [--channel <name>]… [--no-statements]');
    return 2;
  }
  const s = servicesFor(knex, config);
  const diffs = await checkLedger(s.ledgerCheckRepo);
  if (!o.has('no-statements')) {
    const channels = o.get('channel') ?? channelsOf(s.gateways);
    diffs.push(...(await checkChannelStatements(s.ledgerCheckRepo, s.statements, channels, days)));
  }
  for (const d of diffs) print(`${d.rule}\t${d.ref}\t${d.detail}`);
  print(diffs.length ? `账务核对发现 ${diffs.length} 处不一致` : '账务核对通过：账单、分录、收费单与渠道对账单一致');
  return diffs.length ? 1 : 0;
}
