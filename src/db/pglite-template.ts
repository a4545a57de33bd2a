// The embedded database's first start. PGlite creates a new cluster by running PostgreSQL's
// initdb (bootstrap and post-bootstrap, in WebAssembly), which is most of a first `npm start`:
// several seconds of one core, against about one to open a cluster that exists. A new cluster
// is the same for every data directory, so one is made once per installed PGlite version (by
// `npm install`'s postinstall, or by the first start that finds none), kept under
// node_modules/.cache, and copied into each new data directory. Only the embedded engine uses
// it: a DATABASE_URL server never comes here.
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

/** The installed PGlite's package folder (its exports do not include package.json). */
function pgliteRoot(): string {
  const entry = require.resolve('@electric-sql/pglite');
  let dir = path.dirname(entry);
  while (!existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return dir;
}

/** node_modules/.cache/campus-pay/pglite-<version>: a cluster as initdb leaves it, shut down. */
export function templateDir(): string {
  const root = pgliteRoot();
  const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
  // root is <node_modules>/@electric-sql/pglite
  return path.join(root, '..', '..', '.cache', 'campus-pay', `pglite-${version}`);
}

const isCluster = (dir: string) => existsSync(path.join(dir, 'PG_VERSION'));

/**
 * Makes the template if it is missing: initdb into a folder of this process's own, a clean
 * shutdown, then a rename, so a start running beside us never copies half a cluster. Returns
 * the template's folder, or null when it cannot be written (a read-only node_modules).
 */
export async function ensureTemplate(): Promise<string | null> {
  const dir = templateDir();
  if (isCluster(dir)) return dir;
  const work = `${dir}.tmp-${process.pid}`;
  try {
    rmSync(work, { recursive: true, force: true });
    mkdirSync(path.dirname(dir), { recursive: true });
    const { PGlite } = await import('@electric-sql/pglite');
    const pglite = new PGlite(work);
    await pglite.waitReady;
    await pglite.close();
    try {
      renameSync(work, dir);
    } catch (e) {
      // Another process finished first: theirs is as good as ours.
      if (!isCluster(dir)) throw e;
    }
    return dir;
  } catch {
    return null;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Fills an empty data directory from the template (making it first if need be). Returns false
 * when there is no template to be had; PGlite then runs initdb in the data directory itself.
 */
export async function newClusterFromTemplate(dataDir: string): Promise<boolean> {
  if (isCluster(dataDir)) return false;
  const template = await ensureTemplate();
  if (!template) return false;
  cpSync(template, dataDir, { recursive: true });
  return true;
}
