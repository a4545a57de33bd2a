// The shape of src/, checked from the files alone (no database, no type checking): small files,
// SQL only in repos, an HTTP layer that knows no module, and no import cycles. Each check prints
// every offender it finds and fails with the whole list.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type * as TS from 'typescript';
import { describe, expect, it } from 'vitest';

// typescript is one 9 MB CommonJS file: an ESM import makes node scan it for its exports first,
// which takes three times as long as require does.
const ts = createRequire(import.meta.url)('typescript') as typeof TS;

const ROOT = path.resolve(import.meta.dirname, '../..');
const SRC = path.join(ROOT, 'src');
const MAX_LINES = 250;

/** Files that may hold knex calls although their name does not end in repo.ts, each with why. */
const SQL_ALLOWED: Record<string, string> = {
  // (none: every query lives in a *repo.ts file or in src/db/)
};

/** Names that hold a Knex (or a transaction) by the code base's convention, in every file. */
const KNEX_NAMES = ['db', 'knex', 'trx', 'tx'];
/** Knex members that build or run SQL: `db.raw(…)`, `trx.insert(…)`, `knex.fn.now()`. */
const KNEX_MEMBERS = new Set([
  'raw', 'select', 'from', 'table', 'into', 'insert', 'update', 'del', 'delete', 'where', 'with', 'withRecursive', 'queryBuilder',
  'batchInsert', 'fn', 'schema', 'ref', 'first', 'count', 'join', 'distinct', 'union',
]);

interface SourceFile {
  /** Path from the repository root, with forward slashes: src/modules/x/y.ts */
  rel: string;
  text: string;
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return walk(p);
    return /\.ts$/.test(e.name) && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

// Only the files the knex check must read are parsed (a full parse of src/ was most of this
// file's time, and its trees stayed in the heap of every test after it); imports are read with
// TypeScript's own scanner (preProcessFile), which sees every form the parse does.
const files: SourceFile[] = walk(SRC)
  .sort()
  .map((abs) => ({ rel: path.relative(ROOT, abs).split(path.sep).join('/'), text: readFileSync(abs, 'utf8') }));
const byRel = new Map(files.map((f) => [f.rel, f]));

// Parsed without parent pointers (the last argument): nothing here walks up the tree, and setting
// them makes a parse take twice as long.
const astOf = (f: SourceFile) => ts.createSourceFile(f.rel, f.text, ts.ScriptTarget.ES2022, false);
const lineAt = (text: string, pos: number) => text.slice(0, pos).split('\n').length;
const lineOf = (ast: TS.SourceFile, node: TS.Node) => ast.getLineAndCharacterOfPosition(node.getStart(ast)).line + 1;

function visit(node: TS.Node, fn: (n: TS.Node) => void) {
  fn(node);
  ts.forEachChild(node, (c) => visit(c, fn));
}

interface ImportRef {
  spec: string;
  line: number;
}

/** Every module a file names (import/export … from, import x = require(), import('…'), import type), by the scanner. */
function importsOf(f: SourceFile): ImportRef[] {
  return ts.preProcessFile(f.text, true, true).importedFiles.map((i) => ({ spec: i.fileName, line: lineAt(f.text, i.pos) }));
}

/** The same from the parse, telling type-only ones apart: for the report of an offender, and to check importsOf. */
function parsedImportsOf(f: SourceFile): (ImportRef & { typeOnly: boolean })[] {
  const ast = astOf(f);
  const out: (ImportRef & { typeOnly: boolean })[] = [];
  const add = (spec: TS.Expression | undefined, node: TS.Node, typeOnly: boolean) => {
    if (spec && ts.isStringLiteralLike(spec)) out.push({ spec: spec.text, line: lineOf(ast, node), typeOnly });
  };
  visit(ast, (n) => {
    if (ts.isImportDeclaration(n)) {
      const c = n.importClause;
      const named = c?.namedBindings && ts.isNamedImports(c.namedBindings) ? c.namedBindings.elements : undefined;
      const allTypes = !!c && !c.name && !!named && named.length > 0 && named.every((e) => e.isTypeOnly);
      add(n.moduleSpecifier, n, !!c?.isTypeOnly || allTypes);
    } else if (ts.isExportDeclaration(n)) add(n.moduleSpecifier, n, n.isTypeOnly);
    else if (ts.isImportEqualsDeclaration(n) && ts.isExternalModuleReference(n.moduleReference)) add(n.moduleReference.expression, n, n.isTypeOnly);
    else if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.ImportKeyword) add(n.arguments[0], n, false);
    else if (ts.isImportTypeNode(n) && ts.isLiteralTypeNode(n.argument)) add(n.argument.literal as TS.Expression, n, true);
  });
  return out;
}

/** The src/ file a relative specifier names ('./x', './x.ts', './x.js', './dir' for dir/index.ts), or null. */
function resolve(from: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), spec));
  const stem = base.replace(/\.(js|ts)$/, '');
  for (const c of [base, `${stem}.ts`, `${stem}/index.ts`]) if (byRel.has(c)) return c;
  return null;
}

/** The property chain of a callee: `deps.db.raw` → ['deps', 'db', 'raw']; null when it starts at a call. */
function chain(e: TS.Expression): string[] | null {
  if (ts.isIdentifier(e)) return [e.text];
  if (e.kind === ts.SyntaxKind.ThisKeyword) return ['this'];
  if (ts.isPropertyAccessExpression(e)) {
    const head = chain(e.expression);
    return head ? [...head, e.name.text] : null;
  }
  if (ts.isNonNullExpression(e) || ts.isParenthesizedExpression(e)) return chain(e.expression);
  return null;
}

const KNEX_TYPE = /^(Knex(\.Transaction)?|typeof (knex|db))(\s*\|\s*(null|undefined))*$/;

/** Names declared in the file with a Knex type (`k: Knex`, `trx: Knex.Transaction`, `db?: Knex | null`). */
function knexNamesOf(ast: TS.SourceFile): Set<string> {
  const names = new Set(KNEX_NAMES);
  visit(ast, (n) => {
    if ((ts.isParameter(n) || ts.isVariableDeclaration(n) || ts.isPropertySignature(n) || ts.isPropertyDeclaration(n)) && n.type && ts.isIdentifier(n.name)) {
      if (KNEX_TYPE.test(n.type.getText(ast))) names.add(n.name.text);
    }
  });
  return names;
}

/**
 * A file whose text names none of KNEX_NAMES and no Knex type cannot hold a call the check
 * counts (every name it looks for is one of those or declared with such a type): not parsed.
 */
const MAY_HOLD_KNEX = new RegExp(`\\b(${[...KNEX_NAMES, 'Knex'].join('|')})\\b`);

/**
 * Calls that build or run SQL: a call on a Knex-held name (`db('orders')`, `deps.knex<Row>('x')`)
 * or one of its SQL members (`trx.raw(…)`, `db.knex.fn.now()`). Opening a transaction
 * (`db.transaction(async (trx) => …)`) is not one: a service or command owns its unit of work and
 * hands the trx to repo functions, which take it first.
 */
function knexCalls(f: SourceFile): { line: number; code: string }[] {
  if (!MAY_HOLD_KNEX.test(f.text)) return [];
  const ast = astOf(f);
  const names = knexNamesOf(ast);
  const out: { line: number; code: string }[] = [];
  visit(ast, (n) => {
    if (!ts.isCallExpression(n)) return;
    const c = chain(n.expression);
    if (!c) return;
    const at = c.findIndex((p) => names.has(p));
    if (at < 0) return;
    const rest = c.slice(at + 1);
    if (rest.length === 0 || KNEX_MEMBERS.has(rest[0]!)) {
      out.push({ line: lineOf(ast, n), code: n.getText(ast).split('\n')[0]!.slice(0, 80) });
    }
  });
  return out;
}

/** Strongly connected components of size > 1 (or a self-import), by Tarjan's algorithm. */
function cycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const strong = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(scc.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!idx.has(v)) strong(v);
  return out;
}

/** One concrete cycle through the component, starting at its first file: a → b → … → a. */
function cycleThrough(scc: string[], graph: Map<string, string[]>): string[] {
  const inside = new Set(scc);
  const start = scc[0]!;
  const prev = new Map<string, string>();
  const queue = [start];
  while (queue.length) {
    const v = queue.shift()!;
    for (const w of graph.get(v) ?? []) {
      if (!inside.has(w)) continue;
      if (w === start) {
        const route = [v];
        while (route[0] !== start) route.unshift(prev.get(route[0]!)!);
        return [...route, start];
      }
      if (!prev.has(w)) {
        prev.set(w, v);
        queue.push(w);
      }
    }
  }
  return scc;
}

function report(title: string, offenders: string[]): string {
  const text = offenders.length ? `${title} (${offenders.length}):\n  ${offenders.join('\n  ')}` : `${title}: none`;
  console.log(text);
  return text;
}

describe('architecture of src/', () => {
  it('has found the source files', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(byRel.has('src/app.ts')).toBe(true);
  });

  it(`has no file over ${MAX_LINES} lines`, () => {
    const long = files
      .map((f) => ({ f, n: f.text.split('\n').length - (f.text.endsWith('\n') ? 1 : 0) }))
      .filter(({ n }) => n > MAX_LINES)
      .map(({ f, n }) => `${f.rel}: ${n} lines`);
    expect(long, report(`files over ${MAX_LINES} lines`, long)).toEqual([]);
  });

  it('runs SQL only in *repo.ts files and src/db/', () => {
    for (const [file, why] of Object.entries(SQL_ALLOWED)) {
      expect(byRel.has(file), `SQL_ALLOWED names ${file}, which is gone`).toBe(true);
      expect(why.length, `SQL_ALLOWED ${file} needs its reason`).toBeGreaterThan(10);
    }
    const calls = files
      .filter((f) => !f.rel.endsWith('repo.ts') && !f.rel.startsWith('src/db/') && !(f.rel in SQL_ALLOWED))
      .flatMap((f) => knexCalls(f).map((c) => `${f.rel}:${c.line}  ${c.code}`));
    expect(calls, report('knex calls outside repo files', calls)).toEqual([]);
  });

  it('keeps src/http free of src/modules', () => {
    const imports = files
      .filter((f) => f.rel.startsWith('src/http/'))
      .filter((f) => importsOf(f).some((i) => resolve(f.rel, i.spec)?.startsWith('src/modules/')))
      .flatMap((f) => parsedImportsOf(f).flatMap((i) => {
        const to = resolve(f.rel, i.spec);
        return to?.startsWith('src/modules/') ? [`${f.rel}:${i.line} imports ${to}${i.typeOnly ? ' (type only)' : ''}`] : [];
      }));
    expect(imports, report('src/http importing src/modules', imports)).toEqual([]);
  });

  it('has no import cycles', () => {
    const graph = new Map(files.map((f) => [f.rel, [...new Set(importsOf(f).flatMap((i) => resolve(f.rel, i.spec) ?? []))].sort()]));
    const found = cycles(graph).map((scc) => {
      const route = cycleThrough(scc, graph);
      return `${route.join(' → ')}${scc.length > route.length - 1 ? `  (component of ${scc.length}: ${scc.join(', ')})` : ''}`;
    });
    expect(found, report('import cycles', found)).toEqual([]);
  });

  it('checks itself: the knex heuristic, the resolver and the cycle finder see what they should', () => {
    const fake = (rel: string, text: string): SourceFile => ({ rel, text });
    const sql = fake('src/x.ts', [
      "import type { Knex } from 'knex';",
      'async function f(k: Knex, deps: { db: Knex }) {',
      "  await k('orders').where({ id: 1 });",
      "  await deps.db.raw('select 1');",
      '  await k.transaction(async (t) => t);',
      '  k.fn.now();',
      '  keys(1).account;',
      '}',
    ].join('\n'));
    expect(knexCalls(sql).map((c) => c.line)).toEqual([3, 4, 6]);
    expect(knexCalls(fake('src/y.ts', "const k = other('orders');\nk.raw('select 1');"))).toEqual([]);
    // The scanner names what the parse names, each form of import, on the same lines.
    const forms = fake('src/z.ts', [
      "import a from './a';",
      "import type { B } from './b';",
      "import { type C } from './c';",
      "export { d } from './d';",
      "export type { E } from './e';",
      "export * from './f';",
      "import g = require('./g');",
      "const h = await import('./h');",
      "let i: import('./i').I;",
      "import './j';",
    ].join('\n'));
    const spec = (i: ImportRef) => `${i.spec}:${i.line}`;
    expect(importsOf(forms).map(spec)).toEqual(parsedImportsOf(forms).map(spec));
    expect(importsOf(forms)).toHaveLength(10);
    expect(resolve('src/gateways/registry.ts', './types')).toBe('src/gateways/types.ts');
    expect(resolve('src/app.ts', './sandbox/kit')).toBe('src/sandbox/kit/index.ts');
    expect(resolve('src/app.ts', './config.ts')).toBe('src/config.ts');
    const g = new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]);
    expect(cycles(g)).toEqual([['a', 'b', 'c']]);
    expect(cycleThrough(['a', 'b', 'c'], g)).toEqual(['a', 'b', 'c', 'a']);
  });
});
