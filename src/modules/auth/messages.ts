export const AUTH_MESSAGES = {
  invalid: '用户名或密码错误',
  wait: (seconds: number) => `登录失败次数过多，请${seconds}秒后再试`,
  captcha: '请输入验证码',
  captchaWrong: '验证码不正确',
  captchaExpired: '验证码已失效，请重新输入',
  captchaWhy: '登录失败次数较多，为保护账户安全，请同时输入验证码',
  disabled: '该账户已停用，请联系财务处',
  signedOut: '您已退出登录',
  loginFirst: '请先登录',
} as const;
