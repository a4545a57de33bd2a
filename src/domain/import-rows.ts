// Row checks for the CSV imports (人员 and 应收), pure so that they are unit-tested without a
// database: the service looks up colleges, people, periods and items once and passes them in.
import { normaliseIdNumber, isValidIdNumber } from './id-number';
import { type Decimal, parseAmount } from './money';

export const PEOPLE_COLUMNS = ['学号', '姓名', '性别', '身份证号', '学院', '班级', '手机'] as const;
export const BILL_COLUMNS = ['学号', '收费期间', '收费项目', '应收金额'] as const;

export interface RowError {
  line: number; // the line in the file, header = 1, as a spreadsheet shows it
  number: string; // 学号 as typed, to find the row
  reasons: string[];
}

/** Missing headers, in the order the template lists them. */
export function missingColumns(header: string[], required: readonly string[]): string[] {
  const have = new Set(header.map((h) => h.trim()));
  return required.filter((c) => !have.has(c));
}

export interface PersonRow {
  number: string;
  name: string;
  gender: '男' | '女';
  idNumber: string;
  college: string;
  className: string;
  mobile: string;
}

export function checkPersonRow(raw: Record<string, string>, colleges: ReadonlySet<string>): { row?: PersonRow; reasons: string[] } {
  const v = (k: string) => (raw[k] ?? '').trim();
  const reasons: string[] = [];
  const number = v('学号');
  if (!number) reasons.push('学号为空');
  else if (!/^[A-Za-z0-9]{1,32}$/.test(number)) reasons.push('学号只能包含字母和数字，最长32位');
  const name = v('姓名');
  if (!name) reasons.push('姓名为空');
  else if (name.length > 50) reasons.push('姓名超过50个字');
  const gender = v('性别');
  if (gender !== '男' && gender !== '女') reasons.push('性别须为“男”或“女”');
  const id = normaliseIdNumber(v('身份证号'));
  if (!v('身份证号')) reasons.push('身份证号为空');
  else if (!id || !isValidIdNumber(id)) reasons.push('身份证号格式或校验位错误');
  const college = v('学院');
  if (!college) reasons.push('学院为空');
  else if (!colleges.has(college)) reasons.push(`学院“${college}”不存在`);
  const className = v('班级');
  if (!className) reasons.push('班级为空');
  else if (className.length > 100) reasons.push('班级名称过长');
  const mobile = v('手机');
  if (mobile && !/^1\d{10}$/.test(mobile)) reasons.push('手机号须为11位数字');
  if (reasons.length) return { reasons };
  return { row: { number, name, gender: gender as '男' | '女', idNumber: id!, college, className, mobile }, reasons };
}

export interface BillRow {
  number: string;
  period: string;
  item: string;
  due: Decimal;
}

export function checkBillRow(
  raw: Record<string, string>,
  known: { people: ReadonlySet<string>; periods: ReadonlySet<string>; items: ReadonlySet<string> },
): { row?: BillRow; reasons: string[] } {
  const v = (k: string) => (raw[k] ?? '').trim();
  const reasons: string[] = [];
  const number = v('学号');
  if (!number) reasons.push('学号为空');
  else if (!known.people.has(number)) reasons.push(`学号“${number}”不存在`);
  const period = v('收费期间');
  if (!period) reasons.push('收费期间为空');
  else if (!known.periods.has(period)) reasons.push(`收费期间“${period}”不存在`);
  const item = v('收费项目');
  if (!item) reasons.push('收费项目为空');
  else if (!known.items.has(item)) reasons.push(`收费项目“${item}”不存在`);
  const dueText = v('应收金额').replace(/,/g, '');
  const due = parseAmount(dueText);
  if (!dueText) reasons.push('应收金额为空');
  else if (!due) reasons.push('应收金额须为不超过两位小数的非负金额');
  if (reasons.length) return { reasons };
  return { row: { number, period, item, due: due! }, reasons };
}
