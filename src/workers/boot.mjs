// A worker thread's entry when the code is TypeScript run without a build (npm start under tsx,
// vitest): a new Worker gets no loader from its parent's runtime (vitest's own transform never
// reaches it), so this plain module registers tsx's ESM hooks in the worker and then imports the
// real entry, named in workerData.entry. Registering again under tsx is harmless.
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

// Heavy work yields the cores to the thread that answers requests: on Linux a thread has its own
// nice value, and /proc/thread-self names this thread's id. Elsewhere the worker keeps the default.
if (workerData.nice) {
  try {
    setPriority(Number(readlinkSync('/proc/thread-self').split('/').pop()), workerData.nice);
  } catch {
    // not Linux, or not allowed: the work still runs, at normal priority
  }
}

register();
await import(workerData.entry);
