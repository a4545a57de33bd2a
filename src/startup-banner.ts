// The plain lines `npm start` prints once it serves (beside the JSON log): where to go and, with
// demo data, how to sign in. The accounts are the README's demo accounts table.
import { DEMO } from '../seeds/demo';

export interface BannerFacts {
  url: string;
  /** The simulated channels' address, when this process runs them. */
  sandboxUrl?: string | undefined;
  database: string;
  demo: boolean;
  /** SMTP_URL unset: no e-mail at all, said here so nobody waits for a confirmation mail. */
  emailOff?: boolean;
}

export function startupBanner(f: BannerFacts): string {
  const lines = [`校园统一支付平台 is up: open ${f.url}  (database: ${f.database}${f.sandboxUrl ? `; payment sandbox: ${f.sandboxUrl}` : ''})`];
  if (f.emailOff) lines.push('E-mail is off: SMTP_URL is not set (reminders go by SMS only; 个人信息 cannot confirm an e-mail address). Set SMTP_URL and MAIL_FROM to turn it on.');
  if (f.demo) {
    lines.push(
      'Demo logins (用户名 / 密码):',
      `  student ${DEMO.student.name}           ${DEMO.student.number} / ${DEMO.student.password}  (the initial password: change it at first login)`,
      '  any other student   their 学号 / the last 8 of their ID number',
      `  external payer ${DEMO.external.name}    ${DEMO.external.idNumber} / ${DEMO.external.name}  (then a password of your own)`,
      `  staff ${DEMO.deptStaff.name}          ${DEMO.deptStaff.number} / ${DEMO.deptStaff.password}`,
      `  finance ${DEMO.finance.name}          ${DEMO.finance.number} / ${DEMO.finance.password}  (console: ${f.url}/console)`,
    );
  }
  return lines.join('\n');
}
