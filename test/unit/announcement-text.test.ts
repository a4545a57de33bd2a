import { describe, expect, it } from 'vitest';
import { announcementBlocks } from '../../src/domain/announcement-text';

describe('系统公告 text', () => {
  it('reads paragraphs (blank lines), line breaks, bulleted and numbered lists', () => {
    const body = '各位同学：\r\n2019年度学费开始缴纳。\n\n注意事项：\n1、请使用本人账户缴费\n2、缴费后请查看电子票据\n\n- 财务处 2973305\n• 收费办公室 2973826\n\n（3）保留原编号';
    expect(announcementBlocks(body)).toEqual([
      { kind: 'p', lines: ['各位同学：', '2019年度学费开始缴纳。'] },
      { kind: 'p', lines: ['注意事项：'] },
      { kind: 'ol', start: 1, items: ['请使用本人账户缴费', '缴费后请查看电子票据'] },
      { kind: 'ul', items: ['财务处 2973305', '收费办公室 2973826'] },
      { kind: 'ol', start: 3, items: ['保留原编号'] },
    ]);
  });

  it('keeps amounts, years and markup as text', () => {
    expect(announcementBlocks('-100元为退费\n12.5元手续费\n2019年度\n<b>加粗</b>')).toEqual([
      { kind: 'p', lines: ['-100元为退费', '12.5元手续费', '2019年度', '<b>加粗</b>'] },
    ]);
    expect(announcementBlocks('  \n\n')).toEqual([]);
  });
});
