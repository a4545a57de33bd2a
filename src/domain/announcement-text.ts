// 系统公告 as finance typed them: plain text, never HTML. Its shape is read back from the text
// itself — a blank line between paragraphs, a line break inside one, lines starting with "-" or "•"
// as a list, lines numbered "1." / "1、" / "（1）" as a numbered list — and the views write every
// piece through EJS's escaping, so nothing finance types can become markup on a student's page.

export type AnnouncementBlock =
  | { kind: 'p'; lines: string[] }
  | { kind: 'ul'; items: string[] }
  | { kind: 'ol'; start: number; items: string[] };

// "- " and "* " need their space, so that "-100元" stays text.
const BULLET = /^(?:[-*]\s+|[•·●▪]\s*)(.*)$/;
// 1. 1、 1． 1) 1） (1) （1） — the ways a Chinese notice numbers its points; "12.5元" is not one.
const NUMBERED = /^(?:(\d{1,3})\s*(?:[.．](?!\d)|[、)）])|[（(](\d{1,3})[)）])\s*(.*)$/;

export function announcementBlocks(body: string): AnnouncementBlock[] {
  const blocks: AnnouncementBlock[] = [];
  let current: AnnouncementBlock | null = null;
  const close = () => {
    if (current) blocks.push(current);
    current = null;
  };
  for (const raw of body.replace(/\r\n?/g, '\n').split('\n')) {
    const line = raw.trim();
    if (!line) {
      close();
      continue;
    }
    const bullet = BULLET.exec(line);
    const numbered = bullet ? null : NUMBERED.exec(line);
    if (bullet) {
      if (current?.kind !== 'ul') {
        close();
        current = { kind: 'ul', items: [] };
      }
      current.items.push(bullet[1]!);
    } else if (numbered) {
      if (current?.kind !== 'ol') {
        close();
        current = { kind: 'ol', start: Number(numbered[1] ?? numbered[2]), items: [] };
      }
      current.items.push(numbered[3]!);
    } else {
      if (current?.kind !== 'p') {
        close();
        current = { kind: 'p', lines: [] };
      }
      current.lines.push(line);
    }
  }
  close();
  return blocks;
}
