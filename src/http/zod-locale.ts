// zod's own messages in Chinese, for every schema of the app: a check without a message of its
// own (a z.enum, a regex written without one) must never show a student "Invalid input". A
// message written on a schema still wins over the locale (zod v4's order of precedence).
// Imported by src/http/validate.ts (so by every route) and by the tests' setup file.
import { z } from 'zod';

z.config(z.locales.zhCN());
