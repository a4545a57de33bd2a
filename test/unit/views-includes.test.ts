// Every EJS include is written from the views root ('/partials/head'): ejs resolves a relative
// include with a filesystem lookup on every render (src/http/views.ts says why that matters).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const VIEWS = path.resolve(import.meta.dirname, '../../views');

describe('views', () => {
  it('include only from the views root, and only files that exist', () => {
    const bad: string[] = [];
    for (const file of readdirSync(VIEWS, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ejs'))) {
      for (const [, target] of readFileSync(path.join(VIEWS, file), 'utf8').matchAll(/include\(\s*['"]([^'"]+)['"]/g)) {
        if (!target!.startsWith('/')) bad.push(`${file}: relative include '${target}'`);
        else if (!readdirSync(path.dirname(path.join(VIEWS, target!))).includes(`${path.basename(target!)}${path.extname(target!) ? '' : '.ejs'}`)) bad.push(`${file}: '${target}' does not exist`);
      }
    }
    expect(bad).toEqual([]);
  });
});
