// A small, bounded pool of PDF-drawing worker threads. Size: PDF_WORKERS (by default one less
// than the cores, at most two), so drawing never takes every core from the requests; the queue
// in front of it is bounded too, and a full queue is PdfBusy (the page says to try again), not
// an ever longer wait. Workers start on the first bill and are unref'd while idle, so an idle
// pool keeps no process alive; a worker that dies fails its bill only and is replaced.
import type { Worker } from 'node:worker_threads';
import { spawnWorker } from '../../workers/spawn';
import type { BillView } from './view';

const ENTRY = new URL('./pdf-worker.ts', import.meta.url);

export class PdfBusy extends Error {}
export class PdfFailed extends Error {}

interface Task {
  view: BillView;
  resolve: (pdf: Buffer) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker?: Worker;
  task?: Task;
}

export interface PdfPool {
  render(view: BillView): Promise<Buffer>;
  close(): Promise<void>;
}

export function createPdfPool(opts: { size: number; maxQueue: number }): PdfPool {
  const slots: Slot[] = Array.from({ length: Math.max(1, opts.size) }, () => ({}));
  const queue: Task[] = [];

  const start = (slot: Slot): Worker => {
    const w = spawnWorker(ENTRY);
    w.on('message', (m: { pdf?: Uint8Array; error?: string }) => {
      const task = slot.task;
      slot.task = undefined;
      w.unref();
      if (task) {
        if (m.pdf) task.resolve(Buffer.from(m.pdf.buffer, m.pdf.byteOffset, m.pdf.byteLength));
        else task.reject(new PdfFailed(m.error ?? 'pdf worker gave no pdf'));
      }
      dispatch();
    });
    // 'error' is always followed by 'exit'; the exit fails the task and frees the slot.
    w.on('error', () => undefined);
    w.on('exit', (code) => {
      if (slot.worker === w) slot.worker = undefined;
      const task = slot.task;
      slot.task = undefined;
      task?.reject(new PdfFailed(`pdf worker exited (code ${code})`));
      dispatch();
    });
    return w;
  };

  function dispatch() {
    for (const slot of slots) {
      if (slot.task || !queue.length) continue;
      const task = queue.shift()!;
      slot.worker ??= start(slot);
      slot.task = task;
      slot.worker.ref();
      slot.worker.postMessage(task.view);
    }
  }

  return {
    render(view) {
      if (queue.length >= opts.maxQueue) return Promise.reject(new PdfBusy('pdf queue full'));
      return new Promise<Buffer>((resolve, reject) => {
        queue.push({ view, resolve, reject });
        dispatch();
      });
    },
    async close() {
      for (const t of queue.splice(0)) t.reject(new PdfFailed('pdf pool closed'));
      await Promise.all(slots.map((s) => s.worker?.terminate()));
    },
  };
}
