// Every form and query string goes through a zod schema. A failure becomes a map of field → Chinese
// message that the page shows next to the field, with the user's input kept.
import type { z } from 'zod';
import './zod-locale';

export type FieldErrors = Record<string, string>;

export type Parsed<T> = { ok: true; data: T } | { ok: false; errors: FieldErrors };

// C0 and C1 control characters and DEL: nothing a person types into a field, and PostgreSQL
// refuses NUL in text outright (the query fails, the page would be a 500). A multi-line field
// (an announcement's text, a list of numbers) keeps tab, line feed and carriage return.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001F\u007F-\u009F]/;
// eslint-disable-next-line no-control-regex -- as above, less tab, LF and CR
const CONTROL_MULTILINE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
export const CONTROL_MESSAGE = '不能包含换行、制表符等控制字符';
export const CONTROL_MESSAGE_MULTILINE = '不能包含控制字符';

export interface ParseOptions {
  /** Fields shown as a textarea: tabs and line breaks are allowed there. */
  multiline?: readonly string[];
}

/** Fields of an input holding a control character (in a string or in an array of strings). */
export function controlErrors(input: unknown, opts: ParseOptions = {}): FieldErrors {
  const errors: FieldErrors = {};
  if (!input || typeof input !== 'object') return errors;
  for (const [k, v] of Object.entries(input)) {
    const multi = opts.multiline?.includes(k) ?? false;
    const re = multi ? CONTROL_MULTILINE : CONTROL;
    const values: unknown[] = Array.isArray(v) ? v : [v];
    if (values.some((x) => typeof x === 'string' && re.test(x))) errors[k] = multi ? CONTROL_MESSAGE_MULTILINE : CONTROL_MESSAGE;
  }
  return errors;
}

export function parse<S extends z.ZodType>(schema: S, input: unknown, opts: ParseOptions = {}): Parsed<z.infer<S>> {
  const errors = controlErrors(input, opts);
  const r = schema.safeParse(input);
  if (r.success && !Object.keys(errors).length) return { ok: true, data: r.data };
  for (const issue of r.error?.issues ?? []) {
    const key = String(issue.path[0] ?? '_');
    errors[key] ??= issue.message;
  }
  return { ok: false, errors };
}

/** Strings only: what a form field really is. Arrays and objects from qs are refused. */
export function formFields(body: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (body && typeof body === 'object') {
    for (const [k, v] of Object.entries(body)) if (typeof v === 'string') out[k] = v;
  }
  return out;
}
