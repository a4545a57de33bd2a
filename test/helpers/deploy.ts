// The shipped deployment on loopback: deploy/nginx/campus-pay.conf (only its ports, certificate
// and log paths rewritten) inside a minimal nginx.conf standing in for Debian's, with a real
// nginx of its own prefix; app instances and one standalone sandbox as child processes. Used by
// test/reliability/two-instances.test.ts and bench/registration-day.ts. No vitest in here.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { localhostTls } from './certs';
import { freePort } from './process';
import { tempFiles } from './temp-files';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SITE_CONF = path.join(root, 'deploy/nginx/campus-pay.conf');

/** Replaces `pattern` in `text`, failing loudly when the shipped file no longer has it. */
function must(text: string, pattern: RegExp, by: string | ((m: string) => string), what: string): string {
  if (!pattern.test(text)) throw new Error(`deploy/nginx/campus-pay.conf: ${what} not found (${pattern})`);
  pattern.lastIndex = 0;
  return text.replace(pattern, by as string);
}

export interface SiteOptions {
  /** host:port of each instance; `down` ones are listed with nginx's `down`. */
  instances: { address: string; down?: boolean }[];
  port: number;
  certFile: string;
  keyFile: string;
  logDir: string;
}

/** The shipped site file with this machine's ports, certificate and log folder. */
export function renderSite(o: SiteOptions): string {
  let s = readFileSync(SITE_CONF, 'utf8');
  let first = true;
  s = must(s, /^(\s*)server 127\.0\.0\.1:\d+( [^;\n]*)?;\n/gm, (line) => {
    if (!first) return '';
    first = false;
    const [, indent, params] = /^(\s*)server \S+?( [^;\n]*)?;/.exec(line)!;
    return o.instances.map((i) => `${indent}server ${i.address}${params ?? ''}${i.down ? ' down' : ''};\n`).join('');
  }, 'the upstream servers');
  // The plain-http redirect server listens on port 80: not here.
  s = must(s, /server \{\n\s*listen 80;[\s\S]*?\n\}\n/, '', 'the port-80 server');
  s = must(s, /listen 443 ssl( http2)?;/, `listen 127.0.0.1:${o.port} ssl$1;`, 'listen 443');
  s = must(s, /^\s*listen \[::\]:443[^\n]*\n/m, '', 'listen [::]:443');
  s = must(s, /ssl_certificate\s+\S+;/, `ssl_certificate ${o.certFile};`, 'ssl_certificate');
  s = must(s, /ssl_certificate_key\s+\S+;/, `ssl_certificate_key ${o.keyFile};`, 'ssl_certificate_key');
  return must(s, /\/var\/log\/nginx\//g, `${o.logDir}/`, 'the log paths');
}

export interface DeployNginx {
  url: string;
  port: number;
  /** The certificate nginx serves, for clients to trust (and its file, for NODE_EXTRA_CA_CERTS). */
  cert: string;
  certFile: string;
  /** Rewrites the site with these instances and reloads nginx (SIGHUP), as an operator would. */
  reload(instances: SiteOptions['instances']): Promise<void>;
  /** The parsed lines of the site's access log (its campus_pay format). */
  accessLog(): { method: string; path: string; status: number; upstream: string }[];
  stop(): Promise<void>;
}

const binary = () => (existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : 'nginx');

export async function startDeployNginx(instances: SiteOptions['instances'], o: { workers?: number } = {}): Promise<DeployNginx> {
  const { dir, file } = tempFiles('cupp-deploy-nginx-');
  const { cert, certFile, keyFile } = localhostTls(file);
  const port = await freePort();
  const siteFile = path.join(dir, 'campus-pay.conf');
  const writeSite = (list: SiteOptions['instances']) => writeFileSync(siteFile, renderSite({ instances: list, port, certFile, keyFile, logDir: dir }));
  writeSite(instances);
  // What Debian's /etc/nginx/nginx.conf provides around sites-enabled/, in this test's folder.
  const conf = `
daemon off;
worker_processes ${o.workers ?? 1};
pid ${dir}/nginx.pid;
error_log ${dir}/error.log notice;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  include ${siteFile};
}
`;
  const confFile = file('nginx.conf', conf);
  let out = '';
  const child: ChildProcess = spawn(binary(), ['-p', dir, '-e', `${dir}/error.log`, '-c', confFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const url = `https://localhost:${port}`;
  const logFile = path.join(dir, 'campus-pay.access.log');
  const accessLog = () => {
    if (!existsSync(logFile)) return [];
    return readFileSync(logFile, 'utf8').split('\n').filter(Boolean).map((line) => {
      const m = /"(\S+) (\S+) [^"]*" (\d{3}) .* upstream=(\S+)/.exec(line);
      return { method: m?.[1] ?? '', path: m?.[2] ?? '', status: Number(m?.[3] ?? 0), upstream: m?.[4] ?? '' };
    });
  };
  const probe = () => request(url, 'GET', '/healthz', { ca: cert }).then((r) => r.status, () => 0);
  await waitUntil(async () => {
    if (child.exitCode !== null) throw new Error(`nginx exited ${child.exitCode}: ${out}${readIf(`${dir}/error.log`)}`);
    return (await probe()) !== 0;
  }, 20_000, () => `nginx not answering on ${port}: ${out}`);
  return {
    url, port, cert, certFile, accessLog,
    async reload(list) {
      writeSite(list);
      child.kill('SIGHUP');
      // Done when new connections land only where the new list says: three probes in a row.
      const up = new Set(list.filter((i) => !i.down).map((i) => i.address));
      let inARow = 0;
      await waitUntil(async () => {
        const before = accessLog().length;
        await probe();
        await waitUntil(() => accessLog().length > before, 5_000, () => 'probe not logged');
        const last = accessLog().at(-1)!;
        inARow = up.has(last.upstream) ? inARow + 1 : 0;
        return inARow >= 3;
      }, 20_000, () => `nginx did not reload: ${readIf(`${dir}/error.log`)}`);
    },
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}

const readIf = (f: string) => (existsSync(f) ? readFileSync(f, 'utf8') : '');

export async function waitUntil(cond: () => boolean | Promise<boolean>, ms: number, why: () => string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(why());
    await new Promise((r) => setTimeout(r, 50));
  }
}

// ——— Processes ———

export interface Proc {
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/** `node --import tsx <script>` with only the given environment (and PATH, HOME). */
export function startScript(script: string, env: Record<string, string>): Proc {
  let out = '';
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: root, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return {
    child, output: () => out,
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}

/** Waits until `url` answers 200, failing early with the process's output if it exits. */
export async function waitForUp(p: Proc, url: string, ms = 120_000): Promise<void> {
  await waitUntil(async () => {
    if (p.child.exitCode !== null) throw new Error(`${url}: process exited ${p.child.exitCode}\n${p.output()}`);
    try {
      return (await fetch(url)).ok;
    } catch {
      return false;
    }
  }, ms, () => `${url} not up after ${ms} ms\n${p.output()}`);
}

// ——— A browser over real connections ———

export interface Answer { status: number; headers: http.IncomingHttpHeaders; text: string }

/** One request on a connection of its own (so nginx balances each one and a reload takes effect). */
export function request(base: string, method: 'GET' | 'POST', p: string, o: { ca?: string; localAddress?: string; headers?: Record<string, string>; body?: string; agent?: http.Agent } = {}): Promise<Answer> {
  const u = new URL(p, base);
  const mod = u.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request(u, {
      method, agent: o.agent ?? false, ...(o.ca ? { ca: o.ca } : {}), ...(o.localAddress ? { localAddress: o.localAddress } : {}),
      headers: { ...(o.body !== undefined ? { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': String(Buffer.byteLength(o.body)) } : {}), ...o.headers },
    }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (data += d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text: data }));
    });
    req.on('error', reject);
    req.end(o.body);
  });
}

/**
 * A student's browser: one cookie jar, a CSRF token read from the last page, and requests either
 * through nginx (https, from `clientAddress`) or straight to an instance (as nginx would send
 * them: X-Forwarded-For the client, X-Forwarded-Proto https, which TRUST_PROXY=loopback believes).
 */
export class Browser {
  readonly jar = new Map<string, string>();
  token = '';

  /** `agent`: keep connections open as a browser does (the bench); by default one per request. */
  constructor(private readonly via: { base: string; ca?: string; clientAddress?: string; agent?: http.Agent }) {}

  async send(method: 'GET' | 'POST', p: string, form?: Record<string, string | string[]>, at?: string): Promise<Answer> {
    const direct = at !== undefined;
    const body = form ? encode(method === 'POST' && this.token && !('_csrf' in form) ? { _csrf: this.token, ...form } : form) : undefined;
    const headers: Record<string, string> = { Accept: 'text/html' };
    if (this.jar.size) headers.Cookie = [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
    if (direct) Object.assign(headers, { 'X-Forwarded-For': this.via.clientAddress ?? '127.0.0.1', 'X-Forwarded-Proto': 'https', Host: new URL(this.via.base).host });
    const res = await request(direct ? at : this.via.base, method, p, {
      headers, ...(body !== undefined ? { body } : {}), ...(this.via.agent && !direct ? { agent: this.via.agent } : {}),
      ...(direct ? {} : { ...(this.via.ca ? { ca: this.via.ca } : {}), ...(this.via.clientAddress ? { localAddress: this.via.clientAddress } : {}) }),
    });
    for (const c of res.headers['set-cookie'] ?? []) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      this.jar.set(pair!.slice(0, i), pair!.slice(i + 1));
    }
    const m = /name="_csrf" value="([^"]+)"/.exec(res.text);
    if (m) this.token = m[1]!;
    return res;
  }

  get(p: string, at?: string) {
    return this.send('GET', p, undefined, at);
  }

  post(p: string, form: Record<string, string | string[]>, at?: string) {
    return this.send('POST', p, form, at);
  }
}

function encode(form: Record<string, string | string[]>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(form)) for (const x of ([] as string[]).concat(v)) q.append(k, x);
  return q.toString();
}

// ——— The whole deployment ———

export interface Deployment {
  nginx: DeployNginx;
  sandbox: Proc;
  sandboxUrl: string;
  instances: { proc: Proc; url: string; address: string }[];
  dataDir: string;
  stop(): Promise<void>;
}

/**
 * nginx from deploy/ in front of `count` instances (src/server.ts, SANDBOX_EXTERNAL=1) and one
 * standalone sandbox (src/sandbox/main.ts), all on `databaseUrl`. `env` is given to every
 * instance and the sandbox (SESSION_SECRET at least: the e-bill platform's secret derives from it).
 */
export async function startDeployment(o: { databaseUrl: string; count: number; env: Record<string, string>; nginxWorkers?: number; upTimeoutMs?: number }): Promise<Deployment> {
  const { dir: dataDir } = tempFiles('cupp-deploy-data-');
  const ports = await Promise.all(Array.from({ length: o.count }, () => freePort()));
  const sandboxPort = await freePort();
  const sandboxUrl = `http://127.0.0.1:${sandboxPort}`;
  const addresses = ports.map((p) => `127.0.0.1:${p}`);
  const nginx = await startDeployNginx(addresses.map((address) => ({ address })), { workers: o.nginxWorkers ?? 1 });
  const common = { ...o.env, DATA_DIR: dataDir, PUBLIC_URL: nginx.url, SANDBOX: '1', SANDBOX_PORT: String(sandboxPort), SANDBOX_URL: sandboxUrl };
  // The sandbox notifies PUBLIC_URL, nginx's https: it trusts nginx's certificate as a channel
  // trusts the school's.
  const sandbox = startScript('src/sandbox/main.ts', { ...common, NODE_EXTRA_CA_CERTS: nginx.certFile });
  // The sandbox writes its keys at start; the instances read them from DATA_DIR/sandbox.
  await waitForUp(sandbox, `${sandboxUrl}/`, o.upTimeoutMs);
  const instances = ports.map((port, i) => ({
    proc: startScript('src/server.ts', { ...common, DATABASE_URL: o.databaseUrl, SANDBOX_EXTERNAL: '1', PORT: String(port), HOST: '127.0.0.1' }),
    url: `http://127.0.0.1:${port}`, address: addresses[i]!,
  }));
  const stop = async () => {
    await nginx.stop();
    await Promise.all(instances.map((x) => x.proc.stop()));
    await sandbox.stop();
  };
  try {
    await Promise.all(instances.map((x) => waitForUp(x.proc, `${x.url}/healthz`, o.upTimeoutMs)));
  } catch (e) {
    await stop();
    throw e;
  }
  return { nginx, sandbox, sandboxUrl, instances, dataDir, stop };
}
