// Who is signed in, as every page's 当前用户>> line and every guard needs it.
export type Role = 'student' | 'staff' | 'external' | 'dept_staff' | 'finance_admin';

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
}
