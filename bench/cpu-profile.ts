// A CPU profile of this thread (the one that answers requests) over one window, as node --cpu-prof
// would write it but for just that window, and its top entries: self time by function, and by
// where the code lives (a package, src/, Node itself, the collector, idle). `npx tsx
// bench/cpu-profile.ts file.cpuprofile` prints the same summary for a profile written earlier.
import { writeFileSync, readFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
export interface CpuProfile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

export async function profileWindow<T>(file: string, work: () => Promise<T>): Promise<{ result: T; profile: CpuProfile }> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  try {
    const result = await work();
    const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: CpuProfile };
    writeFileSync(file, JSON.stringify(profile));
    return { result, profile };
  } finally {
    session.disconnect();
  }
}

/** Where a frame's code lives: a package, a file of ours, Node's own, or a V8 pseudo-frame. */
function placeOf(url: string, name: string): string {
  if (!url) return name.startsWith('(') ? name : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  if (url.startsWith('node:')) return 'node:' + url.slice(5).split('/')[0];
  const ours = /\/(src|views|bench)\/(.+)$/.exec(url);
  return ours ? `${ours[1]}/${ours[2]!.replace(/"$/, '')}` : url;
}

export function topEntries(p: CpuProfile, n = 20): string[] {
  const byId = new Map(p.nodes.map((x) => [x.id, x]));
  // Profiler.stop itself is sampled (serialising the profile, under profileWindow): not the app's time.
  const own = new Set<number>();
  const mark = (id: number, inside: boolean) => {
    const node = byId.get(id)!;
    const under = inside || node.callFrame.functionName === 'profileWindow';
    if (under) own.add(id);
    for (const c of node.children ?? []) mark(c, under);
  };
  mark(p.nodes[0]!.id, false);
  const self = new Map<number, number>();
  let total = 0;
  // Samples are counted, not the time between them: on a busy machine the thread is often
  // descheduled, and the whole wait would be charged to whatever ran when it came back (a
  // syscall such as writev, mostly). Each sample is one look at what the thread was doing.
  p.samples.forEach((id) => {
    if (own.has(id)) return;
    self.set(id, (self.get(id) ?? 0) + 1);
    total += 1;
  });
  const byFunction = new Map<string, number>();
  const byPlace = new Map<string, number>();
  for (const [id, n] of self) {
    const f = byId.get(id)!.callFrame;
    const place = placeOf(f.url, f.functionName);
    const key = `${f.functionName || '(anonymous)'} ${place}${f.url ? `:${f.lineNumber + 1}` : ''}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + n);
    byPlace.set(place, (byPlace.get(place) ?? 0) + n);
  }
  const pct = (k: number) => `${((k / total) * 100).toFixed(1).padStart(5)} %`;
  const top = (m: Map<string, number>, k: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, k).map(([key, n]) => `    ${pct(n)}  ${key}`);
  return [
    `  ${total} samples (${((p.endTime - p.startTime) / 1e6).toFixed(1)} s); share of samples by where the code lives:`, ...top(byPlace, 16),
    '  by function (self):', ...top(byFunction, n),
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const file of process.argv.slice(2)) {
    console.log(file);
    for (const line of topEntries(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, 30)) console.log(line);
  }
}
