// A newcomer's first install: `npm ci` installs exactly the committed lock file,
// with no warning to puzzle over; a missing browser is named with the way to get it. .ci/run runs
// the real `npm ci`; these read the same files offline, so a lock that drifted from package.json
// or a new install script fails here first, on any machine.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GET_CHROMIUM } from '../helpers/browser';

type Deps = Record<string, string>;
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { dependencies: Deps; devDependencies: Deps; allowScripts: Record<string, boolean> };
const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as {
  lockfileVersion: number;
  packages: Record<string, { version?: string; resolved?: string; hasInstallScript?: boolean; dependencies?: Deps; devDependencies?: Deps }>;
};

describe('npm ci from the committed lock file', () => {
  it('has the lock agree with package.json (npm ci refuses a lock that does not)', () => {
    expect(lock.lockfileVersion).toBe(3);
    const root = lock.packages['']!;
    expect(root.dependencies).toEqual(pkg.dependencies);
    expect(root.devDependencies).toEqual(pkg.devDependencies);
    for (const name of [...Object.keys(pkg.dependencies), ...Object.keys(pkg.devDependencies)]) {
      expect(lock.packages[`node_modules/${name}`]?.version, name).toMatch(/^\d+\.\d+\.\d+/);
    }
  });

  it('names no registry, so npm install elsewhere does not rewrite it (.npmrc)', () => {
    expect(Object.entries(lock.packages).filter(([, p]) => p.resolved).map(([k]) => k)).toEqual([]);
    expect(readFileSync('.npmrc', 'utf8')).toMatch(/^omit-lockfile-registry-resolved=true$/m);
  });

  it('approves every install script in the lock (allowScripts), so npm warns of none left unrun', () => {
    const withScripts = Object.entries(lock.packages)
      .filter(([k, p]) => k !== '' && p.hasInstallScript)
      .map(([k]) => k.slice(k.lastIndexOf('node_modules/') + 'node_modules/'.length));
    expect(withScripts.length).toBeGreaterThan(0);
    for (const name of withScripts) expect(pkg.allowScripts[name], `${name} runs an install script`).toBe(true);
  });
});

describe('browser tests without Chromium', () => {
  it('say what to install, in the test that needs it and where vitest leaves them out', () => {
    expect(GET_CHROMIUM).toContain('apt-get install chromium fonts-noto-cjk');
    expect(GET_CHROMIUM).toContain('CHROMIUM_PATH');
    const config = readFileSync('vitest.config.ts', 'utf8');
    expect(config).toContain('apt-get install chromium fonts-noto-cjk');
    expect(readFileSync('README.md', 'utf8')).toContain('apt-get install chromium fonts-noto-cjk');
  });
});
