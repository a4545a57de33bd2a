// The text of a reminder: finance writes it with placeholders, each person's values fill them.
import { formatMoney, type Decimal } from './money';

export const REMINDER_PLACEHOLDERS = ['{姓名}', '{学号}', '{欠费金额}', '{收费项目}', '{截止日期}'] as const;

export interface ReminderValues {
  name: string;
  number: string;
  arrears: Decimal;
  /** Deadline reminders: the fee item and its 收费终止 day. */
  item?: string;
  deadline?: string;
}

export function renderReminder(template: string, v: ReminderValues): string {
  const map: Record<string, string> = {
    '{姓名}': v.name, '{学号}': v.number, '{欠费金额}': formatMoney(v.arrears), '{收费项目}': v.item ?? '', '{截止日期}': v.deadline ?? '',
  };
  return template.replace(/\{(姓名|学号|欠费金额|收费项目|截止日期)\}/g, (m) => map[m] ?? m);
}

/** An SMS carries the school's signature first, as the provider's templates require (docs/sms.md). */
export function smsText(schoolName: string, body: string): string {
  return body.startsWith('【') ? body : `【${schoolName}】${body}`;
}
