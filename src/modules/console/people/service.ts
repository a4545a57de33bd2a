// 人员查询 and the person page (bills, orders, receipts, refunds, account state).
import { arrears, overpayment } from '../../../domain/arrears';
import { normaliseIdNumber } from '../../../domain/id-number';
import { sum } from '../../../domain/money';
import { paginate } from '../../../domain/pagination';
import type { Scope } from '../context';
import type { AccountThrottleState, Throttle } from '../../auth/throttle';
import type { PayerLink } from '../../payers/repo';
import type { PeopleRepo, PersonSummary } from './repo';

export const SEARCH_PAGE_SIZE = 20;

export function peopleService(deps: { repo: PeopleRepo; loginThrottle: Throttle; /** 授权缴费人 of a student (src/modules/payers) */ payersOf?: (personId: number) => Promise<PayerLink[]> }) {
  const { repo } = deps;
  return {
    async search(scope: Scope, text: string, requestedPage: number) {
      if (!text) return { rows: [], page: paginate(0, 1, SEARCH_PAGE_SIZE) };
      const idNumber = normaliseIdNumber(text);
      const first = await repo.search(scope, { text, idNumber }, SEARCH_PAGE_SIZE, (requestedPage - 1) * SEARCH_PAGE_SIZE);
      const page = paginate(first.total, requestedPage, SEARCH_PAGE_SIZE);
      // Asked beyond the end: show the last page instead of an empty one.
      const found: PersonSummary[] = page.offset === (requestedPage - 1) * SEARCH_PAGE_SIZE ? first.rows
        : (await repo.search(scope, { text, idNumber }, SEARCH_PAGE_SIZE, page.offset)).rows;
      // 账户 as the person page would put it: 已停用 first, then 登录受限 (a 验证码 at sign-in), else 正常.
      const limited = await deps.loginThrottle.limited(found.flatMap((p) => (p.accountId ? [`a${p.accountId}`] : [])));
      const rows = found.map((p) => ({ ...p, accountState: p.status !== 'active' ? p.status : limited.has(`a${p.accountId}`) ? 'limited' : 'active' }));
      return { rows, page };
    },

    /** Undefined when the person does not exist or is outside the scope (the page then says 404). */
    async detail(scope: Scope, personId: number) {
      const person = await repo.find(scope, personId);
      if (!person) return undefined;
      const [billRows, orders, receipts, refunds, loginLimits, deferrals, loans, payers] = await Promise.all([
        repo.bills(personId), repo.orders(personId), repo.receipts(personId), repo.refunds(personId),
        person.accountId ? deps.loginThrottle.state(`a${person.accountId}`) : Promise.resolve<AccountThrottleState | null>(null),
        repo.deferrals(personId), repo.loans(personId), deps.payersOf ? deps.payersOf(personId) : Promise.resolve<PayerLink[]>([]),
      ]);
      const bills = billRows.map((b) => ({ ...b, arrears: arrears(b), overpayment: overpayment(b), refundable: b.paid.minus(b.refunded) }));
      const totals = {
        due: sum(bills.map((b) => b.due)), refunded: sum(bills.map((b) => b.refunded)), reduction: sum(bills.map((b) => b.reduction)),
        paid: sum(bills.map((b) => b.paid)), arrears: sum(bills.map((b) => b.arrears)),
      };
      return { person, loginLimits, bills, totals, orders, receipts, refunds, deferrals, loans, payers };
    },
  };
}

export type PeopleService = ReturnType<typeof peopleService>;
