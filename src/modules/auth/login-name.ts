// The throttle key of a sign-in name that matches no account. It must be spelled exactly as the
// lookup (repo.ts findForLogin, recovery/repo.ts find) tells names apart: the 学号/用户编号 is
// matched exactly, and a 身份证号 with its X in either case. Keyed any other way (lowercased, say),
// two spellings would share a counter when no account exists but not when one does, and the
// counters would tell which 用户编号 exist (5 failures as f9001, then one as F9001).
const ID_NUMBER_SHAPE = /^\d{17}[\dXx]$/;

export function unknownNameKey(username: string): string {
  const name = username.trim();
  return ID_NUMBER_SHAPE.test(name) ? name.toUpperCase() : name;
}
