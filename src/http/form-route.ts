// The one shape of a form post: validate the fields, show the page again with what was typed and
// the messages when they are wrong, run the command, and send the browser on (303). A command
// refuses by throwing an AppError before it commits anything, so a refusal is shown on the same
// page exactly like a validation message: beside its field, or above the form.
import type { Request, RequestHandler, Response } from 'express';
import type { z } from 'zod';
import { type AppError, HTTP_STATUS, isAppError } from '../domain/app-error';
import { isBusyError } from '../domain/gate';
import { type FieldErrors, formFields, parse, type ParseOptions, type Parsed } from './validate';

export type FormValues = Record<string, string>;

/** What a refused form is shown again with. */
export interface FormRefusal {
  /** 400 for wrong fields; the status of the AppError's code when the command refused. */
  status: number;
  /** What was typed: every field, or only the `keep` ones. */
  values: FormValues;
  /** Field → message; the command's refusal sits under its field ('_' when it has none). */
  errors: FieldErrors;
  /** The command's message, for the line above the form (undefined when only fields were wrong). */
  error?: string;
  /** The AppError the command threw, when it did. */
  refusal?: AppError;
  /** Every string field as posted, kept or not (e.g. whether the 验证码 field was on the page). */
  fields: FormValues;
}

/** Either a zod schema or a check of its own (several schemas, a 验证码 taken, fields by pattern). */
export type FormCheck<T, C> = z.ZodType<T> | ((fields: FormValues, req: Request, ctx: C) => Parsed<T> | Promise<Parsed<T>>);

export interface FormSpec<T, C, R> {
  /** Runs first: the path's ids, the row being edited. A throw (AppError not_found) is the answer. */
  load?: (req: Request, res: Response) => C | Promise<C>;
  schema: FormCheck<T, C>;
  /** Textarea fields, where line breaks and tabs are allowed. */
  multiline?: readonly string[];
  /** Only these fields are shown again (never a password or a 验证码). Default: every field. */
  keep?: readonly string[];
  /** The page shown again, rendered with {...locals, values, errors, error}. */
  view?: string;
  locals?: (req: Request, ctx: C) => Record<string, unknown> | Promise<Record<string, unknown>>;
  /** Or the route's own way of drawing the page again (the status is already set). */
  render?: (req: Request, res: Response, refusal: FormRefusal, ctx: C) => unknown;
  run: (data: T, req: Request, ctx: C) => R | Promise<R>;
  /** Where the browser goes after the command (303)… */
  redirect?: string | ((result: Awaited<R>, data: T, ctx: C) => string);
  /** …or the answer drawn in place of a redirect. */
  respond?: (req: Request, res: Response, result: Awaited<R>, ctx: C) => unknown;
}

export function formAction<T, R, C = undefined>(spec: FormSpec<T, C, R>): RequestHandler {
  if (!spec.view && !spec.render) throw new Error('formAction needs a view or a render');
  if (!spec.redirect && !spec.respond) throw new Error('formAction needs a redirect or a respond');
  const check = spec.schema;
  const opts: ParseOptions = { multiline: spec.multiline };

  return async (req, res) => {
    const ctx = (spec.load ? await spec.load(req, res) : undefined) as C;
    const fields = formFields(req.body);
    const values = spec.keep ? Object.fromEntries(spec.keep.map((k) => [k, fields[k] ?? ''])) : fields;

    const refuse = async (refusal: Omit<FormRefusal, 'values' | 'fields'>) => {
      const full: FormRefusal = { ...refusal, values, fields };
      res.status(full.status);
      if (spec.render) return spec.render(req, res, full, ctx);
      const locals = spec.locals ? await spec.locals(req, ctx) : {};
      return res.render(spec.view!, { ...locals, values: full.values, errors: full.errors, error: full.error });
    };

    const parsed = typeof check === 'function' ? await check(fields, req, ctx) : parse(check, fields, opts);
    if (!parsed.ok) return refuse({ status: 400, errors: parsed.errors });

    let result: Awaited<R>;
    try {
      result = await spec.run(parsed.data, req, ctx);
    } catch (e) {
      // A full queue (BusyError) is not the form's fault: the busy page with Retry-After, not the form again.
      if (!isAppError(e) || isBusyError(e)) throw e;
      return refuse({ status: HTTP_STATUS[e.code], errors: { [e.field]: e.message }, error: e.message, refusal: e });
    }
    if (spec.respond) return spec.respond(req, res, result, ctx);
    const to = typeof spec.redirect === 'function' ? spec.redirect(result, parsed.data, ctx) : spec.redirect!;
    res.redirect(303, to);
  };
}
