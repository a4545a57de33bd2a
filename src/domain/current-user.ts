// Who is signed in, as every page's 当前用户>> line and every guard needs it.
export type Role = 'student' | 'staff' | 'external' | 'dept_staff' | 'finance_admin' | 'payer';

export interface CurrentUser {
  accountId: number;
  personId: number;
  number: string;
  name: string;
  gender: string;
  idNumber: string | null;
  role: Role;
  collegeId: number | null;
  collegeName: string;
  className: string;
  mobile: string;
  mustChangePassword: boolean;
  /**
   * Set while an 授权缴费人 pays for a student (src/modules/payers/scope.ts): the rest of the user is
   * then that student's (their bills, their 学号), while accountId stays the payer's own.
   */
  payer?: { personId: number; name: string; mobile: string };
}

/** The user as the account query reads it (src/modules/auth/repo.ts): no college or class reads as ''. */
export function toCurrentUser(row: Record<string, unknown>): CurrentUser {
  return { ...row, collegeName: row.collegeName ?? '', className: row.className ?? '' } as CurrentUser;
}
