// A real nginx as the TLS-terminating proxy in front of the app, as the README's deployment section
// configures it: its own folder for pid, logs and temp files, `daemon off` as a child of the test,
// killed after. The certificate is self-signed, issued by the test (certs.ts).
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { localhostTls } from './certs';
import { freePort } from './process';
import { tempFiles } from './temp-files';

export interface Nginx {
  url: string;
  port: number;
  /** The certificate nginx serves, for the client to trust. */
  cert: string;
  stop(): Promise<void>;
  log(): string;
}

const binary = () => (existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : 'nginx');

/**
 * nginx on 127.0.0.1:<free port> with TLS, passing to `upstream` from the address `bindFrom` (so the
 * app can tell nginx apart from a client on another loopback address).
 */
export async function startTlsProxy(opts: { upstream: string; bindFrom: string }): Promise<Nginx> {
  const { dir, file } = tempFiles('cupp-nginx-');
  const { cert, certFile, keyFile } = localhostTls(file);
  const port = await freePort();
  const conf = `
daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 64; }
http {
  access_log ${dir}/access.log;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  server {
    listen 127.0.0.1:${port} ssl;
    server_name localhost;
    ssl_certificate ${certFile};
    ssl_certificate_key ${keyFile};
    location / {
      proxy_pass ${opts.upstream};
      proxy_bind ${opts.bindFrom};
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
    }
  }
}
`;
  const confFile = path.join(dir, 'nginx.conf');
  writeFileSync(confFile, conf);
  let out = '';
  const child: ChildProcess = spawn(binary(), ['-p', dir, '-e', `${dir}/error.log`, '-c', confFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  await waitForPort(port, child, () => out);
  return {
    url: `https://localhost:${port}`,
    port,
    cert,
    log: () => out,
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}

async function waitForPort(port: number, child: ChildProcess, output: () => string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`nginx exited ${child.exitCode}: ${output()}`);
    const up = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1', () => {
        s.end();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (up) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nginx not listening on ${port}: ${output()}`);
}
