import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A fresh temporary folder and a writer into it that returns the file's path (key and certificate files for adapters). */
export function tempFiles(prefix: string) {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  const file = (name: string, text: string) => {
    const p = path.join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  return { dir, file };
}
