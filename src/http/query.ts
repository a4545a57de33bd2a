import type { z } from 'zod';
import { formFields, parse } from './validate';

/**
 * Parses a query string leniently: a bad field is reported and dropped, the rest still applies,
 * so `?page=abc` shows the page with a message rather than an error page.
 */
export function parseQuery<S extends z.ZodType>(schema: S, query: unknown): { data: z.infer<S>; errors: string[] } {
  const fields = formFields(query);
  const first = parse(schema, fields);
  if (first.ok) return { data: first.data, errors: [] };
  for (const key of Object.keys(first.errors)) delete fields[key];
  const second = parse(schema, fields);
  if (!second.ok) throw new Error('query schema must accept an empty query');
  return { data: second.data, errors: Object.values(first.errors) };
}
