// A load client in its own process, for benchmarks that time the server's loop: fetching and
// reading responses in the server's process would put the client's work on the very loop being
// measured, and spawning curl per burst blocks that loop for the spawn. Started once; each line on
// stdin is a JSON list of {url, cookie} sent all at once; it answers with a line of the statuses.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

if (import.meta.url === `file://${process.argv[1]}`) createInterface({ input: process.stdin }).on('line', (line) => {
  const requests = JSON.parse(line) as { url: string; cookie: string }[];
  void Promise.all(requests.map(async (r) => {
    const res = await fetch(r.url, { headers: { cookie: r.cookie } });
    await res.arrayBuffer();
    return res.status;
  })).then((statuses) => process.stdout.write(`${JSON.stringify(statuses)}\n`));
});

/** The parent's side: start the client, send bursts, close it. */
export function startBurstClient() {
  const child = spawn(process.execPath, ['--import', 'tsx', new URL(import.meta.url).pathname], { stdio: ['pipe', 'pipe', 'inherit'] });
  const answers = createInterface({ input: child.stdout });
  const waiting: ((statuses: number[]) => void)[] = [];
  answers.on('line', (line) => waiting.shift()?.(JSON.parse(line) as number[]));
  return {
    burst(requests: { url: string; cookie: string }[]): Promise<number[]> {
      return new Promise((resolve) => {
        waiting.push(resolve);
        child.stdin.write(`${JSON.stringify(requests)}\n`);
      });
    },
    close() {
      child.stdin.end();
    },
  };
}
