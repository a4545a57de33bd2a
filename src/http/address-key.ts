// What the per-address counters (auth/throttle.ts, payment/notify-limit.ts) count a client by.
// An IPv4 address is one household or one campus NAT. An IPv6 client is usually given a whole /64
// and may pick any address in it, so counting by the full address would give it 2^64 fresh
// counters: it is counted by its /64. An IPv4-mapped IPv6 address (::ffff:a.b.c.d, what Node
// reports on a dual-stack socket) is the IPv4 address. An empty address (no socket address known)
// gets one fixed key rather than '' - '' means "no address" in the throttle's keys.
import { isIPv4, isIPv6 } from 'node:net';

export const UNKNOWN_ADDRESS = 'unknown';

export function addressKey(ip: string | undefined): string {
  const raw = (ip ?? '').trim();
  if (!raw) return UNKNOWN_ADDRESS;
  if (isIPv4(raw)) return raw;
  const bare = raw.replace(/%.*$/, '');
  if (!isIPv6(bare)) return raw;
  const groups = expand(bare);
  const mapped = groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
  if (mapped) return [groups[6]! >> 8, groups[6]! & 255, groups[7]! >> 8, groups[7]! & 255].join('.');
  return `${groups.slice(0, 4).map((g) => g.toString(16)).join(':')}::/64`;
}

/** The eight 16-bit groups of a valid IPv6 address (with '::' and a trailing IPv4 part). */
function expand(ip: string): number[] {
  let text = ip.toLowerCase();
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const part = (s: string | undefined) => (s ? s.split(':').map((h) => parseInt(h, 16)) : []);
  const h = part(head);
  const t = part(tail);
  return tail === undefined ? h : [...h, ...Array<number>(8 - h.length - t.length).fill(0), ...t];
}
