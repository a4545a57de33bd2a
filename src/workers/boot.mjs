// A worker thread's entry when the code is TypeScript run without a build (npm start under tsx,
// vitest): a new Worker gets no loader from its parent's runtime (vitest's own transform never
// reaches it), so this plain module registers tsx's ESM hooks in the worker and then imports the
// real entry, named in workerData.entry. Registering again under tsx is harmless.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
