// Field types more than one group of settings uses, and the error every check throws.
import { z } from 'zod';

/** Thrown with one readable line naming the variable, so start-up stops before any request. */
export class ConfigError extends Error {}

export const bool = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'])
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v));

export const port = z.coerce.number().int().min(0).max(65535);
