// `nontax-maintenance --until <YYYY-MM-DD HH:MM> [--from <YYYY-MM-DD HH:MM>] [--note 说明]`,
// `nontax-maintenance --list` and `nontax-maintenance --end <id>`: the same 非税平台维护 as the
// console's 外发队列 page (times in business time), recorded in the audit log as from the CLI.
import type { Knex } from 'knex';
import type { Config } from '../../config';
import { poolOver } from '../../db/connection';
import { businessDateTime, businessMinute } from '../../domain/business-date';
import { createLogger } from '../../logger';
import { buildServices } from '../../services';
import { options } from './reconcile';

const instant = businessMinute;

export async function maintenanceCommand(knex: Knex, config: Config, args: string[]): Promise<number> {
  const status = buildServices({ config, db: { knex, pool: poolOver(knex) }, logger: createLogger('warn') }).nontaxStatus;
  const o = options(args);
  const actor = { accountId: null, ip: 'cli' };
  if (o.has('list')) {
    for (const p of await status.recent()) {
      console.log(`${p.id}\t${businessDateTime(p.startsAt)}\t${businessDateTime(p.endsAt)}\t${p.endedAt ? '已提前结束' : ''}\t${p.note}`);
    }
    return 0;
  }
  const end = o.get('end')?.[0];
  if (end !== undefined) {
    if (!/^\d{1,18}$/.test(end)) return usage();
    const ok = await status.end(actor, end);
    console.log(ok ? `维护 ${end} 已结束` : `维护 ${end} 不存在或已结束`);
    return ok ? 0 : 1;
  }
  const until = instant(o.get('until')?.[0] ?? '');
  const fromText = o.get('from')?.[0];
  const from = fromText ? instant(fromText) : new Date();
  if (!until || !from || until <= from || until <= new Date()) return usage();
  const id = await status.announce(actor, { startsAt: from, endsAt: until, note: (o.get('note')?.[0] ?? '').slice(0, 100) });
  console.log(`维护 ${id} 已登记：${businessDateTime(from)} 至 ${businessDateTime(until)}`);
  return 0;
}

function usage(): number {
  console.error('用法: nontax-maintenance --until "YYYY-MM-DD HH:MM" [--from "YYYY-MM-DD HH:MM"] [--note 说明] | --list | --end <编号>（预计恢复时间须晚于开始时间和当前时间）');
  return 2;
}
