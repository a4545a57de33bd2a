// The configuration's refusals as the config tests check them: a ConfigError, its message one line.
import { expect } from 'vitest';
import { ConfigError } from '../../src/config';

/** For each `[env, message]`: `load(env)` throws a ConfigError whose message matches and is one line. */
export function expectConfigErrors(load: (env: Record<string, string>) => unknown, bad: [Record<string, string>, RegExp][]): void {
  for (const [env, message] of bad) {
    let err: unknown;
    try {
      load(env);
    } catch (e) {
      err = e;
    }
    expect(err, JSON.stringify(env)).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).not.toContain('\n');
  }
}
