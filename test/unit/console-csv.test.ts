import { describe, expect, it } from 'vitest';
import { csvField, decodeCsvBytes, toCsv } from '../../src/domain/csv';
import { checkBillRow, checkPersonRow, missingColumns, PEOPLE_COLUMNS } from '../../src/domain/import-rows';

describe('CSV for Excel', () => {
  it('starts with a BOM, quotes every field, doubles quotes and ends lines with CRLF', () => {
    expect(toCsv(['学院', '金额'], [['计算机"学院"', '1100.00']])).toBe('\uFEFF"学院","金额"\r\n"计算机""学院""","1100.00"\r\n');
  });
  it('puts the lines that say what the table is above it, then a blank line', () => {
    expect(toCsv(['学院'], [['理学院']], [['欠费报表'], ['收费期间', '2019年度']])).toBe('\uFEFF"欠费报表"\r\n"收费期间","2019年度"\r\n\r\n"学院"\r\n"理学院"\r\n');
  });
  it('defuses formulas but keeps negative amounts as numbers', () => {
    expect(csvField('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvField('@SUM(A1)')).toBe('"\'@SUM(A1)"');
    expect(csvField('-100.50')).toBe('"-100.50"');
    expect(csvField('-cmd')).toBe('"\'-cmd"');
  });
  it('reads UTF-8 (with or without BOM) and falls back to GB18030', () => {
    expect(decodeCsvBytes(Buffer.from('\uFEFF学号', 'utf8'))).toBe('学号');
    expect(decodeCsvBytes(Buffer.from([0xd1, 0xa7, 0xba, 0xc5]))).toBe('学号');
  });
});

describe('import row checks', () => {
  const colleges = new Set(['计算机学院']);
  const good = { 学号: '26001', 姓名: '王一', 性别: '女', 身份证号: '62010219900101125x', 学院: '计算机学院', 班级: '1班', 手机: '' };
  it('accepts a good person row and normalises the ID number', () => {
    expect(checkPersonRow(good, colleges).row?.idNumber).toBe('62010219900101125X');
  });
  it('lists every problem of a bad person row', () => {
    expect(checkPersonRow({ ...good, 学号: '26-001', 性别: '男性', 身份证号: '620102199001011231', 学院: '文学院', 班级: '', 手机: '123' }, colleges).reasons).toEqual([
      '学号只能包含字母和数字，最长32位', '性别须为“男”或“女”', '身份证号格式或校验位错误', '学院“文学院”不存在', '班级为空', '手机号须为11位数字',
    ]);
  });
  it('names missing columns in template order', () => {
    expect(missingColumns(['姓名', '学号'], PEOPLE_COLUMNS)).toEqual(['性别', '身份证号', '学院', '班级', '手机']);
  });
  it('parses amounts with thousands separators and refuses three decimals', () => {
    const known = { people: new Set(['1']), periods: new Set(['2020年度']), items: new Set(['学费']) };
    expect(checkBillRow({ 学号: '1', 收费期间: '2020年度', 收费项目: '学费', 应收金额: '5,000.50' }, known).row?.due.toFixed(2)).toBe('5000.50');
    expect(checkBillRow({ 学号: '1', 收费期间: '2020年度', 收费项目: '学费', 应收金额: '0.001' }, known).reasons).toEqual(['应收金额须为不超过两位小数的非负金额']);
  });
});
