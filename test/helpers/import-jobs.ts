// An upload on the import page answers 303 to its job's page, which refreshes itself until the
// job ends; these follow it as the browser would.
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'vitest';
import type { Client } from './client';

/** Follows an upload's redirect and reloads the job page until the job has ended; returns that page. */
export async function followImport(c: Client, upload: { status: number; headers: Record<string, string> }) {
  expect(upload.status).toBe(303);
  const location = upload.headers.location!;
  expect(location).toMatch(/^\/console\/imports\/jobs\/\d+$/);
  for (let i = 0; i < 1200; i++) {
    const page = await c.get(location);
    if (!page.text.includes('id="import-progress"')) return page;
    await sleep(100);
  }
  throw new Error(`import job ${location} did not end`);
}
