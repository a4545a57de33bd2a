// The reconciliation's statement source for the ledger check; its services are built in the
// composition root (src/services.ts).
import type { GatewayRegistry } from '../../gateways/registry';
import { ChannelError } from '../../gateways/types';
import type { StatementSource } from './ledger-check';

/**
 * Statements for the ledger check: downloaded where the channel has an API, and for channels
 * whose statements come as uploaded files (ICBC), the file last uploaded for that day, read again
 * by the adapter's parser. A day with no upload yet is "unavailable", which the check reports.
 */
export function statementSource(registry: GatewayRegistry, uploaded: (channel: string, day: string) => Promise<string | null>): StatementSource {
  return {
    get(id) {
      const a = registry.get(id);
      if (!a?.statementByUpload || !a.parseStatement) return a;
      const parse = a.parseStatement.bind(a);
      return {
        async downloadStatement(day) {
          const raw = await uploaded(id, day);
          if (raw === null) throw new ChannelError(`${id} ${day}: statement file not uploaded yet`);
          return parse(day, Buffer.from(raw, 'utf8'));
        },
      };
    },
  };
}
