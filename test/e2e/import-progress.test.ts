// The import page in a real browser: finance chooses a file and presses 导入, lands on the job's
// page (导入进度 while it runs), and the page reloads itself (meta refresh, no script: the CSP
// allows none inline) until it shows the outcome.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO } from '../../seeds/demo';
import { desktopPage, screenshot, signIn } from '../helpers/browser';
import { appInBrowser } from '../helpers/browser-world';
import { idNumber } from '../factories';

const { url, browser } = await appInBrowser();

function peopleFile(n: number): string {
  const rows = ['学号,姓名,性别,身份证号,学院,班级,手机'];
  for (let i = 0; i < n; i++) rows.push(`37E${String(i).padStart(6, '0')},新生${i},${i % 2 ? '女' : '男'},${idNumber(i + 17)},计算机学院,2026级1班,`);
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'e2e-import-')), '新生名单.csv');
  writeFileSync(file, `\uFEFF${rows.join('\r\n')}\r\n`);
  return file;
}

describe('数据导入 in a browser', () => {
  it('uploads a file, follows 导入进度 and shows the outcome without any script', async () => {
    const { page, errors } = await desktopPage(browser);
    await signIn(page, url, DEMO.finance.number, DEMO.finance.password, `${url}/console`);
    await page.goto(`${url}/console/imports`);
    await page.setInputFiles('#import-people input[type="file"]', peopleFile(20_000));
    await page.click('#import-people button:has-text("导入")');
    await page.waitForURL(/\/console\/imports\/jobs\/\d+$/);
    expect(await page.textContent('#import-job h2')).toBe('导入进度');
    // The page reloads itself until the job has ended.
    await page.waitForSelector('#import-result', { timeout: 120_000 });
    expect(await page.textContent('#import-result')).toContain('人员导入成功：共 20000 行，新增 20000');
    await screenshot(page, 'console-import-done');
    expect(errors).toEqual([]);
  }, 180_000);
});
