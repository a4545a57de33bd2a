// CSV that Excel opens correctly on a Chinese Windows: UTF-8 with a BOM (without it Excel reads
// the bytes as GBK and shows mojibake), CRLF line ends, every field quoted.

export const BOM = '\uFEFF';

/**
 * One field, quoted. A text cell starting with = + - @ (or a tab/CR) would run as a formula in
 * Excel (CSV injection), so it gets a leading apostrophe; plain amounts such as -1.00 stay numbers.
 */
export function csvField(v: string | number | null | undefined): string {
  let s = v === null || v === undefined ? '' : String(v);
  if (/^[=+@\t\r]/.test(s) || (/^-/.test(s) && !/^-\d+(\.\d+)?$/.test(s))) s = `'${s}`;
  return `"${s.replace(/"/g, '""')}"`;
}

export function csvLine(fields: (string | number | null | undefined)[]): string {
  return fields.map(csvField).join(',') + '\r\n';
}

/** `preamble`: lines above the table (what it is, the filters it was drawn with), then a blank line. */
export function toCsv(header: string[], rows: (string | number | null | undefined)[][], preamble: string[][] = []): string {
  const above = preamble.length ? preamble.map(csvLine).join('') + '\r\n' : '';
  return BOM + above + csvLine(header) + rows.map(csvLine).join('');
}

/**
 * Bytes of an uploaded file as text. Excel on Chinese Windows saves "CSV" as GB18030/GBK; a file
 * that is not valid UTF-8 is read as GB18030 rather than rejected.
 */
export function decodeCsvBytes(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '');
  } catch {
    return new TextDecoder('gb18030').decode(bytes);
  }
}
