// npm's postinstall: makes the embedded database's new-cluster template once per installed
// PGlite version (src/db/pglite-template.ts), so the first `npm start` copies a cluster instead
// of running initdb. A production install (NODE_ENV=production, or --omit=dev as the Dockerfile
// does) runs on a DATABASE_URL server and skips it. It never fails the install: without a
// template the first start runs initdb itself.
import { ensureTemplate, templateDir } from '../db/pglite-template';

const production = process.env.NODE_ENV === 'production' || (process.env.npm_config_omit ?? '').split(/[\s,]+/).includes('dev');
if (!production) {
  const started = Date.now();
  const dir = await ensureTemplate().catch(() => null);
  const where = dir ? dir.replace(`${process.cwd()}/`, '') : templateDir();
  console.log(dir
    ? `embedded database template ready in ${where} (${((Date.now() - started) / 1000).toFixed(1)} s)`
    : `embedded database template not made (${where} not writable): the first npm start makes its database itself`);
}
