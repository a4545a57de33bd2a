export const AUTH_MESSAGES = {
  invalid: '用户名或密码错误',
  locked: '登录失败次数过多，请15分钟后再试',
  disabled: '该账户已停用，请联系财务处',
  signedOut: '您已退出登录',
  loginFirst: '请先登录',
} as const;
