// The Chinese answers of the SMS verification codes, in one place.
export const SMS_CODE_MESSAGES = {
  wait: (seconds: number) => `验证码已发送，请${seconds}秒后再重新获取`,
  daily: (max: number) => `该手机号今日获取验证码已达${max}次，请24小时后再试`,
  address: (seconds: number) => `获取验证码过于频繁，请${seconds}秒后再试`,
  wrong: (left: number) => (left > 0 ? `验证码不正确，还可输入${left}次` : '验证码不正确，请重新获取验证码'),
  expired: '验证码已过期，请重新获取',
  used: '验证码已使用，请重新获取',
  exhausted: '验证码输入错误次数过多，请重新获取验证码',
} as const;

/** The second step of every flow that confirms a mobile and then sets a password (./schemas.ts). */
export const CODE_FORM_MESSAGES = {
  code: '请输入短信验证码',
  codeFormat: '短信验证码为6位数字',
  password: '请设置密码',
  passwordLong: '密码不能超过72位',
  confirm: '请再次输入密码',
  mismatch: '两次输入的密码不一致',
} as const;
