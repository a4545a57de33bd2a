// The bad inputs the fuzz test sends: values that break a naive handler (NUL, control characters,
// long strings, digits from other scripts, huge numbers, prototype keys), shapes qs and the body
// parsers treat specially (repeated and bracketed names, invalid percent-encoding), and bodies the
// parsers must refuse (wrong types, charsets and encodings, too large, too many fields).
import { gzipSync } from 'node:zlib';

export interface BodyCase {
  label: string;
  type: string;
  headers?: Record<string, string>;
  body: string | Buffer;
}

export interface QueryCase {
  label: string;
  /** Already encoded, without the `?`. */
  query: string;
}

const enc = (pairs: [string, string][]) => pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
const FORM = 'application/x-www-form-urlencoded';
const PROTO_NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'];

/** Values put into every field at once, one case each. */
export const BAD_VALUES: [string, string][] = [
  ['NUL', 'a\u0000b'],
  ['control characters', '\u0001\u0008\u001b[31m\u007f\u0085'],
  ['tab and newlines', 'a\tb\r\nc'],
  ['full-width digits', '１２３４５６７８'],
  ['Arabic-Indic digits', '١٢٣٤٥٦٧٨'],
  ['huge number', '9'.repeat(400)],
  ['exponent', '1e309'],
  ['negative', '-1'],
  ['prototype key value toString', 'toString'],
  ['prototype key value __proto__', '__proto__'],
];

/** The raw (already encoded) shapes, per field list. */
function rawShapes(fields: string[]): [string, string][] {
  const long = fields.slice(0, 5).map((f) => [f, 'x'.repeat(10_000)] as [string, string]);
  return [
    ['10,000-character strings', enc(long)],
    ['repeated parameters', fields.map((f) => `${encodeURIComponent(f)}=1&${encodeURIComponent(f)}=2`).join('&')],
    ['array and object parameters', fields.map((f) => `${encodeURIComponent(f)}%5B%5D=1&${encodeURIComponent(f)}%5Bb%5D=1&${encodeURIComponent(f)}=1`).join('&')],
    ['invalid UTF-8', fields.map((f) => `${encodeURIComponent(f)}=%FF%FE`).join('&')],
    ['encoded lone surrogate', fields.map((f) => `${encodeURIComponent(f)}=%ED%A0%80x`).join('&')],
    ['broken percent-encoding', fields.map((f) => `${encodeURIComponent(f)}=%E4%B8&%=%%`).join('&')],
    ['prototype keys as names', PROTO_NAMES.map((k) => `${k}=1&${k}%5Bx%5D=1`).join('&')],
  ];
}

export function queryCases(fields: string[]): QueryCase[] {
  return [
    ...BAD_VALUES.map(([label, v]) => ({ label, query: enc(fields.map((f) => [f, v])) })),
    ...rawShapes(fields).map(([label, query]) => ({ label, query })),
  ];
}

export function bodyCases(fields: string[], csrf: string): BodyCase[] {
  const token = `_csrf=${encodeURIComponent(csrf)}`;
  const form = (q: string) => (q ? `${token}&${q}` : token);
  const all = (v: string) => form(enc(fields.map((f) => [f, v])));
  return [
    ...BAD_VALUES.map(([label, v]) => ({ label, type: FORM, body: all(v) })),
    ...rawShapes(fields).map(([label, q]) => ({ label, type: FORM, body: form(q) })),
    { label: 'no fields', type: FORM, body: form('') },
    { label: 'charset=utf-7', type: `${FORM}; charset=utf-7`, body: all('+ADw-x') },
    { label: 'unknown charset', type: `${FORM}; charset=x-bogus`, body: all('1') },
    { label: 'Content-Encoding: gzip with garbage', type: FORM, headers: { 'Content-Encoding': 'gzip' }, body: Buffer.from('not gzip at all') },
    { label: 'Content-Encoding: gzip bomb-ish', type: FORM, headers: { 'Content-Encoding': 'gzip' }, body: gzipSync(Buffer.alloc(200_000, 'a')) },
    { label: 'unknown Content-Encoding', type: FORM, headers: { 'Content-Encoding': 'x-unknown' }, body: all('1') },
    { label: 'application/json', type: 'application/json', body: JSON.stringify({ _csrf: csrf, ...Object.fromEntries(fields.map((f) => [f, '\u0000'])), ['__proto__']: { admin: true } }) },
    { label: 'JSON null', type: 'application/json', body: 'null' },
    { label: 'malformed JSON', type: 'application/json', body: '{"a":' },
    { label: 'text/plain', type: 'text/plain', body: all('1') },
    { label: 'multipart garbage', type: 'multipart/form-data; boundary=xyz', body: '--xyz\r\ngarbage\r\n\r\n--xy' },
    { label: 'multipart without boundary', type: 'multipart/form-data', body: all('1') },
    { label: 'oversized body', type: FORM, body: form(enc([[fields[0] ?? 'a', 'x'.repeat(100_000)]])) },
    { label: 'more than 200 fields', type: FORM, body: form(Array.from({ length: 300 }, (_, i) => `f${i}=1`).join('&')) },
  ];
}

/** Bad values for a route parameter (:id, :orderNo …), already encoded for a path. */
export const BAD_PARAMS: [string, string][] = [
  ['zero', '0'],
  ['negative', '-1'],
  ['letters', 'abc'],
  ['huge number', '9'.repeat(30)],
  ['full-width digits', encodeURIComponent('１２')],
  ['Arabic-Indic digits', encodeURIComponent('١٢')],
  ['NUL', '%00'],
  ['control characters', '%01%1B'],
  ['invalid UTF-8', '%FF%FE'],
  ['prototype key toString', 'toString'],
  ['prototype key __proto__', '__proto__'],
  ['prototype key constructor', 'constructor'],
  ['10,000 characters', 'x'.repeat(10_000)],
];
