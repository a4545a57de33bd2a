// The one error a service throws when it refuses what it was asked: a code the HTTP layer maps to
// a status once (src/http/errors.ts), the Chinese message the user reads, and optionally the form
// field it belongs beside. Anything else thrown is a fault: logged, and answered with the 系统繁忙 page.
export type AppErrorCode =
  /** The input is wrong: shown beside `field` (or above the form) and nothing is written. */
  | 'invalid'
  /** The credentials were refused (a wrong name or password, a stopped account). */
  | 'unauthenticated'
  /** What was asked for does not exist, or is not the asker's to see. */
  | 'not_found'
  | 'forbidden'
  /** The state moved under the request (already paid, already refunded, a flag handled meanwhile). */
  | 'conflict'
  /** A channel was asked and its answer is not known: nothing may be assumed either way. */
  | 'uncertain'
  /** A limit was reached (too many live orders, too many downloads): try later. */
  | 'too_many'
  /** A service the action needs is not reachable or not configured. */
  | 'unavailable';

export class AppError extends Error {
  constructor(
    readonly code: AppErrorCode,
    message: string,
    /** The form field the message belongs beside; '_' is the whole form. */
    readonly field: string = '_',
    /** A few facts the page shown again needs beyond the message (e.g. whether to ask for a 验证码). */
    readonly details: Readonly<Record<string, string | number | boolean>> = {},
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;

/** The HTTP status of each code: the only place the mapping is written. */
export const HTTP_STATUS: Record<AppErrorCode, number> = {
  invalid: 400,
  unauthenticated: 401,
  not_found: 404,
  forbidden: 403,
  conflict: 409,
  uncertain: 502,
  too_many: 429,
  unavailable: 503,
};
