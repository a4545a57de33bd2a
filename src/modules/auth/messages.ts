export const AUTH_MESSAGES = {
  invalid: '用户名或密码错误',
  wait: (seconds: number) => `登录失败次数过多，请${seconds}秒后再试`,
  captcha: '请输入验证码',
  captchaWrong: '验证码不正确',
  captchaExpired: '验证码已失效，请重新输入',
  captchaWhy: '登录失败次数较多，为保护账户安全，请同时输入验证码',
  disabled: '该账户已停用，请联系财务处',
  signedOut: '您已退出登录',
  timedOut: '登录已超时，请重新登录',
  /** What became of a form posted after the timeout (src/http/session-timeout.ts): nothing was done. */
  timedOutSteps: {
    items: '您在“缴费信息修改”点击的“下一步”未能提交：没有生成缴费单，也没有扣款。请登录后重新选择缴费项目。',
    review: '您在“交费信息显示”点击的“下一步”未能提交：没有生成缴费单，也没有扣款。请登录后重新选择缴费项目。',
    submit: '您在“缴费信息确认及支付方式选择”提交的支付未能发出：没有向银行提交支付，也没有扣款。登录后将回到该缴费单，可继续支付。',
    cancel: '您对缴费单的“取消”未能提交，该缴费单没有取消。登录后将回到该缴费单。',
    mobile: '您修改的非税通知手机号码未能保存。登录后将回到该缴费单。',
    other: '您刚才提交的内容未能保存，请登录后重新操作。',
  },
  loginFirst: '请先登录',
  registered: '注册成功。请使用身份证号和刚才设置的密码登录。',
  /** After 授权缴费人注册 (src/modules/payers): the mobile number is their 用户名. */
  payerRegistered: '注册成功。请使用手机号和刚才设置的密码登录。',
  payerReset: '密码已重设。请使用手机号和新密码登录。',
  /** The login page's notes, as 三(一) numbers them; 新用户注册 is the link under the form (/register). */
  loginHints: (financePhones: string) => [
    '在校生登陆时，用户名为学号，密码为身份证号后8位（末尾X大写）。',
    '其他用户登陆时，用户名、密码为对应的用户编号、密码或身份证号码、姓名。',
    `忘记密码请联系财务处电话 ${financePhones}。`,
    '学生家长等授权缴费人登录时，用户名为受邀手机号；首次使用或忘记密码请点击“授权缴费人注册”。',
    '通过报名缴费的非在校生初始登陆时，点击新用户注册，注册之后再登陆。',
  ],
  phoneQrTitle: '手机登录',
  phoneQrNote: '用手机微信（支付宝）扫码登录统一支付平台',
} as const;

/** The notices of the login page after a timeout: the message, then what happened to the form. */
export function timeoutNotices(step: unknown): string[] {
  const place = typeof step === 'string' && Object.hasOwn(AUTH_MESSAGES.timedOutSteps, step)
    ? AUTH_MESSAGES.timedOutSteps[step as keyof typeof AUTH_MESSAGES.timedOutSteps] : null;
  return [AUTH_MESSAGES.timedOut, ...(place ? [place] : [])];
}
