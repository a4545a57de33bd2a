// Every Chinese string of 新用户注册, in one place.
export const REGISTRATION_MESSAGES = {
  name: '请输入姓名',
  nameFormat: '请输入身份证上的姓名（2至30个字）',
  idNumber: '请输入身份证号',
  idNumberFormat: '身份证号应为18位，最后一位可以是X',
  idNumberCheck: '身份证号校验位不正确，请核对',
  mobile: '请输入手机号',
  mobileFormat: '请输入11位中国大陆手机号',
  captcha: '请输入验证码',
  captchaWrong: '验证码不正确',
  captchaExpired: '验证码已失效，请重新输入',
  /** Said to every 身份证号 already held by anyone (student, staff or outsider), whatever else was typed. */
  registered: '该身份证号已注册，请直接登录；如忘记密码，请使用“找回密码”。',
  intro: '非在校生（校外人员）缴费前请先注册。请填写本人身份证上的姓名和身份证号，以及本人手机号；注册后用户名为身份证号。在校生和教职工无需注册，请直接登录。',
  sent: (masked: string) => `短信验证码已发送至 ${masked}，5分钟内有效。`,
  resent: '已重新发送短信验证码。',
  expired: '注册已超时，请重新开始',
  label: '注册',
} as const;
