// A PDF-drawing worker of the pool (pdf-pool.ts): one bill at a time, answered with the bytes.
// pdfkit lays out and subsets the CJK font synchronously for ~100 ms a bill; on the main thread
// five such downloads pushed every other request from 2-15 ms to 300 ms.
import { parentPort } from 'node:worker_threads';
import { renderBillPdf } from './pdf';
import type { BillView } from './view';

parentPort!.on('message', async (view: BillView) => {
  try {
    // A copy into its own ArrayBuffer, which can then be handed over rather than copied again.
    const out = new Uint8Array(await renderBillPdf(view));
    parentPort!.postMessage({ pdf: out }, [out.buffer]);
  } catch (e) {
    parentPort!.postMessage({ error: (e as Error).message ?? String(e) });
  }
});
