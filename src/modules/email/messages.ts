// The texts of the e-mails and of the confirmation and unsubscribe pages, in one place.

export const EMAIL_MESSAGES = {
  confirmSubject: (school: string) => `【${school}】请确认您的邮箱`,
  confirmBody: (p: { school: string; name: string; link: string }) =>
    `${p.name}，您好：\n\n您在${p.school}统一支付平台的个人信息中填写了本邮箱。请在24小时内打开下面的链接确认，确认后才会收到缴费提醒：\n\n${p.link}\n\n如果不是您本人操作，请忽略本邮件。`,
  unsubscribeFooter: (link: string) => `\n\n——\n不想再收到缴费提醒邮件？退订：${link}`,
  confirmTitle: '确认邮箱',
  confirmAsk: (email: string) => `确认将 ${email} 作为接收缴费提醒的邮箱？`,
  confirmed: (email: string) => `邮箱 ${email} 已确认，今后的缴费提醒将发送到这里。`,
  confirmBad: '确认链接无效、已使用或已过期（有效期24小时）。请在个人信息中重新填写邮箱以获取新的链接。',
  unsubscribeTitle: '退订缴费提醒',
  unsubscribeAsk: '退订后将不再收到缴费提醒邮件（短信不受影响）。确定退订？',
  unsubscribed: '已退订，不会再收到缴费提醒邮件。',
  unsubscribeBad: '退订链接无效。',
  off: '本平台未配置邮件发送（SMTP_URL 未设置），邮件功能已关闭。',
} as const;
