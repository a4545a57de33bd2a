// The checked rows of an import as the worker sent them: one JSON text per batch, parsed again
// batch by batch when the main thread looks at them. 140,000 rows held as objects are close to a
// million objects on the main thread's heap, and each full collection marks them all (the 20 MB
// import's bench found ~100 ms pauses of every request); a few hundred strings cost it nothing.
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { ParsedRow } from './parse-protocol';

export class PackedRows {
  private readonly batches: string[] = [];
  private count = 0;

  add(json: string, rows: number): void {
    this.batches.push(json);
    this.count += rows;
  }

  get length(): number {
    return this.count;
  }

  /**
   * The rows in order, about `size` at a time (whole batches), with a turn of the event loop after
   * each batch read so requests keep flowing. Each chunk is fresh objects: change them freely.
   */
  async *chunks(size: number): AsyncGenerator<ParsedRow[]> {
    let chunk: ParsedRow[] = [];
    for (const json of this.batches) {
      for (const r of JSON.parse(json) as ParsedRow[]) chunk.push(r);
      if (chunk.length >= size) {
        yield chunk;
        chunk = [];
      }
      await nextTurn();
    }
    if (chunk.length) yield chunk;
  }
}
