// `npm run bench`: every benchmark in the list, one after the other (they share two cores, so
// running them side by side would measure each other). Add a bench by adding it to BENCHES.
import { benchImportAndReport } from './import-and-report';
import { benchMoneyPath } from './money-path';
import { benchOffload } from './offload';
import { benchOverload } from './overload';
import { benchPages } from './pages';
import { benchRegistrationDay } from './registration-day';
import { benchEbillBacklog } from './ebill-backlog';

const BENCHES: [string, (args: string[]) => Promise<void>][] = [
  ['pages', benchPages],
  ['import-and-report', benchImportAndReport],
  ['offload', benchOffload],
  ['money-path', benchMoneyPath],
  ['ebill-backlog', benchEbillBacklog],
  ['overload', benchOverload],
  ['registration-day', benchRegistrationDay],
];

const only = process.argv[2];
for (const [name, run] of BENCHES) {
  if (only && only !== name) continue;
  console.log(`\n== ${name} ==`);
  // What follows the bench's name is its own: `npm run bench registration-day -- --students 300`.
  await run(process.argv.slice(3));
}
