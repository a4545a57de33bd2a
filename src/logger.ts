import pino from 'pino';

/** Lines go to stdout unless `destination` is given (a bench writes them where they cost the same and are not read). */
export function createLogger(level: string, destination?: pino.DestinationStream) {
  const options = { level, base: undefined, redact: ['req.headers.cookie', 'req.headers.authorization', '*.password'] };
  return destination ? pino(options, destination) : pino(options);
}
export type { Logger } from 'pino';
