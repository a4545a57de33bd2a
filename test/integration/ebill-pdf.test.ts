// E-bill PDFs off the main thread (docs/heavy-work.md): drawn in the worker pool, kept per e-bill so every download (from
// any instance) is the same bytes, drawn anew when what the bill shows changes, and limited per
// person with a 429 page in Chinese.
import { describe, expect, it } from 'vitest';
import { createPdfPool, PdfBusy, PdfFailed, type PdfPool } from '../../src/modules/ebills/pdf-pool';
import type { BillView } from '../../src/modules/ebills/view';
import { createApp } from '../../src/app';
import { createLogger } from '../../src/logger';
import { testApp, testConfig } from '../helpers/app';
import { Client, download, text } from '../helpers/client';
import { testDatabase } from '../helpers/test-db';
import { studentsWithEbills } from '../factories-ebills';

const db = await testDatabase({ demo: true });
const k = db.knex;
const PASSWORD = 'Secret#2026a';
const [alice, bob, carol, dave] = await studentsWithEbills(k, { students: 4, ebillsEach: 3, password: PASSWORD });

async function signedIn(app: ReturnType<typeof createApp>, number: string) {
  const c = new Client(app);
  expect((await c.login(number, PASSWORD)).status).toBe(303);
  return c;
}

describe('e-bill PDFs', () => {
  it('are drawn once and served byte for byte again, by this and by another instance', async () => {
    const app = testApp(db, { PUBLIC_URL: 'https://pay.example.edu.cn' });
    const c = await signedIn(app, alice!.number);
    const path = alice!.ebills[0]!.path;
    const first = await download(c, path);
    expect(first.status).toBe(200);
    expect((first.body as Buffer).subarray(0, 5).toString()).toBe('%PDF-');
    const again = await download(c, path);
    expect(Buffer.compare(first.body as Buffer, again.body as Buffer)).toBe(0);
    // pdfkit writes the time of drawing into every file: equal bytes mean it was not drawn again.
    const other = await signedIn(testApp(db, { PUBLIC_URL: 'https://pay.example.edu.cn' }), alice!.number);
    expect(Buffer.compare(first.body as Buffer, (await download(other, path)).body as Buffer)).toBe(0);
    expect(Number((await k('ebill_pdfs').count({ n: '*' }))[0]!.n)).toBe(1);
  });

  it('are drawn anew when what the bill shows changes (here the public URL its QR code leads to)', async () => {
    const path = alice!.ebills[0]!.path;
    const before = await k('ebill_pdfs').first('content_hash', 'pdf');
    const moved = await signedIn(testApp(db, { PUBLIC_URL: 'https://new.example.edu.cn' }), alice!.number);
    const res = await download(moved, path);
    expect(res.status).toBe(200);
    expect(Buffer.compare(res.body as Buffer, before.pdf)).not.toBe(0);
    const after = await k('ebill_pdfs').first('content_hash', 'pdf');
    expect(after.content_hash).not.toBe(before.content_hash);
    expect(Buffer.compare(res.body as Buffer, after.pdf)).toBe(0);
  });

  it('answers 429 with a Chinese page past the per-minute limit, for that person only', async () => {
    const app = testApp(db, { PDF_PER_MINUTE: '3' });
    const c = await signedIn(app, bob!.number);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await download(c, bob!.ebills[i % 3]!.path)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const refused = await c.get(bob!.ebills[0]!.path);
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toMatch(/^\d+$/);
    expect(text(refused.text)).toContain('电子票据下载过于频繁，请稍后再试（每人同时最多下载2张，每分钟最多3次）');
    // Another student is not held by bob's downloads.
    expect((await download(await signedIn(app, carol!.number), carol!.ebills[0]!.path)).status).toBe(200);
  });

  it('answers 429 to a third download at once from one person while two are being drawn', async () => {
    const real = createPdfPool({ size: 1, maxQueue: 10 });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let waiting = 0;
    let twoWaiting!: () => void;
    const bothIn = new Promise<void>((r) => (twoWaiting = r));
    // The real pool behind a gate, so "at once" does not depend on how fast a PDF is drawn.
    const held: PdfPool = {
      render: async (v: BillView) => {
        if (++waiting === 2) twoWaiting();
        await gate;
        return real.render(v);
      },
      close: () => real.close(),
    };
    const gated = createApp({ config: testConfig(db), db, logger: createLogger('silent'), pdfPool: held });
    const c = await signedIn(gated, dave!.number);
    const [p1, p2, p3] = dave!.ebills.map((e) => e.path);
    // (a supertest request is sent when first awaited: then() sends these two now)
    const first = download(c, p1!).then((r) => r);
    const second = download(c, p2!).then((r) => r);
    await bothIn;
    const third = await download(c, p3!);
    expect(third.status).toBe(429);
    expect(text((third.body as Buffer).toString())).toContain('每人同时最多下载2张');
    release();
    expect([(await first).status, (await second).status]).toEqual([200, 200]);
    expect((await download(c, p3!)).status).toBe(200);
    await real.close();
  });

  it('answers 503 with a Chinese page, not 500, when the pool is full or the drawing failed', async () => {
    await k('ebill_pdfs').del();
    for (const [err, message] of [[new PdfBusy('full'), '电子票据生成繁忙，请稍后再试'], [new PdfFailed('died'), '电子票据生成失败，请稍后再试']] as const) {
      const failing: PdfPool = { render: () => Promise.reject(err), close: async () => undefined };
      const c = await signedIn(createApp({ config: testConfig(db, { PDF_PER_MINUTE: '100' }), db, logger: createLogger('silent'), pdfPool: failing }), carol!.number);
      const res = await c.get(carol!.ebills[1]!.path);
      expect(res.status).toBe(503);
      expect(text(res.text)).toContain(message);
    }
    expect(await k('ebill_pdfs').count({ n: '*' })).toEqual([{ n: '0' }]);
  });

  it('fails only a bill its worker cannot draw, and the pool draws the next one', async () => {
    const pool = createPdfPool({ size: 1, maxQueue: 10 });
    // A view without its fields makes pdfkit throw in the worker: that bill fails, the next is drawn.
    await expect(pool.render({} as BillView)).rejects.toThrow();
    const view = { title: 't', billCode: '1', billNo: '2', checkCode: '3', issuedOn: '2026-01-01', payerName: 'x', payerNumber: '', receiptNo: 'r', lines: [], totalFigure: '0', totalCapital: '零', unitName: 'u', seal: 's', remark: '', handler: 'h', verifyUrl: 'https://x', pdfPath: '/', kind: 'fiscal' } as BillView;
    expect((await pool.render(view)).subarray(0, 5).toString()).toBe('%PDF-');
    await pool.close();
  });
});
