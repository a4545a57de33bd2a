// Masking as the screens show it: 身份证号 32*****8 (当前用户, 图6), 手机 178****5287 (图12). A masked value never
// reveals the length of an ID number, so the mask is a fixed run of stars.

export function maskIdNumber(id: string | null | undefined): string {
  if (!id) return '';
  if (id.length <= 3) return '*'.repeat(id.length);
  return `${id.slice(0, 2)}*****${id.slice(-1)}`;
}

export function maskMobile(mobile: string | null | undefined): string {
  if (!mobile) return '';
  if (mobile.length < 8) return '*'.repeat(mobile.length);
  return `${mobile.slice(0, 3)}****${mobile.slice(-4)}`;
}

/** 张三 → 张*, 欧阳娜娜 → 欧***: for public pages such as e-bill verification. */
export function maskName(name: string): string {
  const chars = [...name];
  if (chars.length <= 1) return name;
  return chars[0] + '*'.repeat(chars.length - 1);
}

/** 6222021234567891234 → 6222 **** **** 1234 */
export function maskCard(first4: string, last4: string): string {
  return `${first4} **** **** ${last4}`;
}
