// A merge resolved in haste once committed a view with its conflict markers still in the page's
// <head>. Every tracked source file is read for them.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');

describe('the tree', () => {
  it('holds no conflict markers', () => {
    const files = execFileSync('git', ['ls-files', '-z', '--', '*.ts', '*.mjs', '*.ejs', '*.css', '*.json', '*.conf', '*.sh'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
    const marked = files.filter((f) => /^(<{7} |>{7} )/m.test(readFileSync(path.join(ROOT, f), 'utf8')));
    expect(marked).toEqual([]);
  });
});
