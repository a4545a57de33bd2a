// The worlds most browser tests start from: the demo database with the platform on a real port
// (and the sandbox, for the payment tests), and Debian's Chromium.
import { DEMO } from '../../seeds/demo';
import { listen, testApp } from './app';
import { launchBrowser } from './browser';
import { testDatabase } from './test-db';
import { payEnv, setPassword } from './world';

/** The demo database, the platform on a real port (`url`) and the browser. */
export async function appInBrowser() {
  const db = await testDatabase({ demo: true });
  const { url } = await listen(testApp(db));
  const browser = await launchBrowser();
  return { db, url, browser };
}

/**
 * The demo database, the platform and the sandbox on real ports (payEnv with `vars`, the sandbox's
 * channels unless told), 张三 past the initial password (world.ts's PASSWORD), and the browser.
 */
export async function payInBrowser(vars: Record<string, string> = { SANDBOX: '1' }) {
  const db = await testDatabase({ demo: true });
  const env = await payEnv(db, vars);
  await setPassword(db.knex, DEMO.student.number);
  const browser = await launchBrowser();
  return { db, env, browser };
}
