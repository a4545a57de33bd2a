// Finance commands: `npm run cli -- <command> [args]`. Each runs the same service as the console,
// so a file imported here is checked and recorded exactly as one uploaded on the import page.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type Config, loadConfig } from '../config';
import { connect, type Database } from '../db/connection';
import { migrateLatest } from '../db/migrate';
import { createLogger } from '../logger';
import { errorReport, type ImportOutcome } from '../modules/console/imports/service';
import { buildServices } from '../services';
import { checkLedgerCommand, reconcileCommand } from './commands/reconcile';
import { maintenanceCommand } from './commands/maintenance';
import { own } from '../domain/own';

const USAGE = `用法:
  npm run cli -- import-people <文件.csv>   导入人员（学号,姓名,性别,身份证号,学院,班级,手机）
  npm run cli -- import-bills <文件.csv>    导入应收（学号,收费期间,收费项目,应收金额）
  npm run cli -- reconcile --channel <渠道> --date <YYYY-MM-DD>   下载渠道对账单并对账（补记漏单，列出差异）
  npm run cli -- check-ledger [--date <YYYY-MM-DD>] [--days N] [--channel <渠道>]   账务核对，有任何不一致时返回非零
  npm run cli -- nontax-maintenance --until <YYYY-MM-DD HH:MM> [--from …] [--note 说明] | --list | --end <编号>   登记/查看/结束非税平台维护`;

type Command = (args: string[]) => Promise<number>;

async function withDb<T>(fn: (db: Database, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const db = await connect({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await migrateLatest(db.knex);
    return await fn(db, config);
  } finally {
    await db.close();
  }
}

function report(outcome: ImportOutcome): number {
  if (outcome.status === 'imported') {
    console.log(`导入成功：${outcome.rows} 行 ${JSON.stringify(outcome.summary)}`);
    return 0;
  }
  console.error(`文件有 ${outcome.errors.length} 行错误，未导入任何数据：`);
  process.stderr.write(errorReport(outcome.errors).replace(/^\uFEFF/, ''));
  return 1;
}

const importCommand = (kind: 'people' | 'bills'): Command => async (args) => {
  const file = args[0];
  if (!file) {
    console.error(USAGE);
    return 2;
  }
  const bytes = readFileSync(file);
  return withDb(async (db, config) => {
    const svc = buildServices({ config, db, logger: createLogger('warn') }).imports;
    const input = { bytes, fileName: path.basename(file), actorAccountId: null, ip: 'cli' };
    return report(kind === 'people' ? await svc.importPeople(input) : await svc.importBills(input));
  });
};

const COMMANDS: Record<string, Command> = {
  'import-people': importCommand('people'),
  'import-bills': importCommand('bills'),
  reconcile: (args) => withDb((db, config) => reconcileCommand(db.knex, config, args)),
  'check-ledger': (args) => withDb((db, config) => checkLedgerCommand(db.knex, config, args)),
  'nontax-maintenance': (args) => withDb((db, config) => maintenanceCommand(db.knex, config, args)),
};

const [name, ...args] = process.argv.slice(2);
const command = own(COMMANDS, name);
if (!command) {
  console.error(USAGE);
  process.exitCode = 2;
} else {
  process.exitCode = await command(args);
}
