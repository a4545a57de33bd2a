// Functions the templates call. Formatting lives here, not in the views.
import { announcementBlocks } from '../domain/announcement-text';
import { businessDate, businessDateTime } from '../domain/business-date';
import { maskIdNumber, maskMobile } from '../domain/mask';
import { formatMoney, plainMoney } from '../domain/money';

export const viewHelpers = {
  money: formatMoney,
  plainMoney,
  maskId: maskIdNumber,
  maskMobile,
  /** A 系统公告's paragraphs and lists, every piece still text for `<%= %>` to escape. */
  announcementBlocks,
  day: (d: Date | string | null | undefined) => (d ? (typeof d === 'string' ? d : businessDate(d)) : '--'),
  dateTime: (d: Date) => businessDateTime(d),
  /** Builds a query string from the current filters, for pager links. */
  qs: (params: Record<string, string | number | boolean | undefined>) => {
    const u = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '' && v !== false) u.set(k, String(v === true ? 1 : v));
    const s = u.toString();
    return s ? `?${s}` : '';
  },
};
