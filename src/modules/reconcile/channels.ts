// Which channels are reconciled, and over which days.
import type { Knex } from 'knex';
import type { GatewayRegistry } from '../../gateways/registry';
import { CHANNEL_LABEL, type ChannelId } from '../../gateways/types';
import { channelsWithAttemptsSince } from './attempts-repo';

/** How many days back the daily job catches up on statements it missed (an outage, a failed download). */
export const CATCH_UP_DAYS = 7;

/** YYYY-MM-DD plus n calendar days. */
export function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/**
 * The channels this deployment is configured to use (CHANNELS_FISCAL, CHANNELS_COLLECTED), in the
 * order the console lists them. The daily job and the console also reconcile a channel taken off
 * the lists while it still has payments in the catch-up window (channelsToReconcile); the CLI
 * takes any registered channel (registeredChannels).
 */
export function channelsOf(registry: GatewayRegistry): ChannelId[] {
  return (Object.keys(CHANNEL_LABEL) as ChannelId[]).filter((id) => registry.get(id) !== null && registry.isConfigured(id));
}

/** Every channel the registry has an adapter for, configured or not. */
export function registeredChannels(registry: GatewayRegistry): ChannelId[] {
  return (Object.keys(CHANNEL_LABEL) as ChannelId[]).filter((id) => registry.get(id) !== null);
}

/**
 * The configured channels, plus any registered channel taken off the lists that still had
 * payment attempts since `fromDay`: its money still arrives in (and is refunded from) its
 * statements, and a payment it took after our records lapsed is found only there.
 */
export async function channelsToReconcile(db: Knex, registry: GatewayRegistry, fromDay: string): Promise<ChannelId[]> {
  const configured = channelsOf(registry);
  const used = new Set(await channelsWithAttemptsSince(db, fromDay));
  return registeredChannels(registry).filter((id) => configured.includes(id) || used.has(id));
}
