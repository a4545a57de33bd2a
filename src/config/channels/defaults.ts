// What every channel's settings fall back to: the sandbox's mount and key files, one timeout.
import path from 'node:path';

export interface ChannelDefaults {
  /** A key file: the given path, or the sandbox's own under DATA_DIR/sandbox. */
  key(given: string | undefined, name: string): string;
  /** A gateway URL: the given one, or the sandbox's mount, without a trailing slash. */
  url(given: string | undefined, mount: string): string;
  timeoutMs: number;
}

export function channelDefaults(dataDir: string, sandboxUrl: string, timeoutMs: number): ChannelDefaults {
  return {
    key: (given, name) => path.resolve(given ?? path.join(dataDir, 'sandbox', name)),
    url: (given, mount) => (given ?? `${sandboxUrl}/${mount}`).replace(/\/$/, ''),
    timeoutMs,
  };
}
