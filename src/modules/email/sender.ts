// E-mail goes out through a MailSender: nodemailer over SMTP (SMTP_URL, MAIL_FROM). Without
// SMTP_URL there is no sender and e-mail is off: nothing is queued for it.
import nodemailer from 'nodemailer';

export interface Mail {
  to: string;
  subject: string;
  text: string;
  /** RFC 2369 List-Unsubscribe: the page that stops reminder mail, for mail clients that offer it. */
  unsubscribeUrl?: string | null;
}

export interface MailSender {
  /** Resolves once the SMTP server has accepted the message; throws if it did not (the job retries). */
  send(mail: Mail): Promise<{ messageId?: string }>;
  close(): void;
}

export class MailError extends Error {
  constructor(message: string, readonly retryable = true) {
    super(message);
  }
}

/** 5xx answers (no such mailbox, refused) will not change on a retry; 4xx and network errors may. */
function classify(err: unknown): Error {
  const code = (err as { responseCode?: number }).responseCode;
  const message = (err as Error).message ?? String(err);
  return new MailError(message, !(typeof code === 'number' && code >= 500 && code < 600));
}

export function smtpMailSender(smtpUrl: string, from: string): MailSender {
  // A hung server must not stall the outbox past its lease (../outbox/drain.ts stops at half of it).
  const transport = nodemailer.createTransport({ url: smtpUrl, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 });
  return {
    async send(mail) {
      try {
        const info = await transport.sendMail({
          from, to: mail.to, subject: mail.subject, text: mail.text,
          ...(mail.unsubscribeUrl ? { list: { unsubscribe: { url: mail.unsubscribeUrl, comment: '退订催缴提醒' } } } : {}),
        });
        return { messageId: info.messageId };
      } catch (err) {
        throw classify(err);
      }
    },
    close: () => transport.close(),
  };
}
