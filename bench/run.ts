// `npm run bench`: every benchmark in the list, one after the other (they share two cores, so
// running them side by side would measure each other). Add a bench by adding it to BENCHES.
import { benchImportAndReport } from './import-and-report';
import { benchMoneyPath } from './money-path';
import { benchOffload } from './offload';
import { benchOverload } from './overload';
import { benchWeb } from './web';
import { benchEbillBacklog } from './ebill-backlog';

const BENCHES: [string, () => Promise<void>][] = [
  ['web', benchWeb],
  ['import-and-report', benchImportAndReport],
  ['offload', benchOffload],
  ['money-path', benchMoneyPath],
  ['ebill-backlog', benchEbillBacklog],
  ['overload', benchOverload],
];

const only = process.argv[2];
for (const [name, run] of BENCHES) {
  if (only && only !== name) continue;
  console.log(`\n== ${name} ==`);
  await run();
}
