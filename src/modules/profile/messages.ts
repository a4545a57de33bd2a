// Every Chinese string the 个人信息 pages show, in one place.

export const SECURITY_QUESTIONS = [
  '您母亲的姓名是？',
  '您父亲的姓名是？',
  '您的出生地是？',
  '您小学班主任的姓名是？',
  '您初中学校的名称是？',
  '您高中学校的名称是？',
  '您最好的朋友的姓名是？',
  '您最喜欢的一本书是？',
] as const;

export const BANK_SUGGESTIONS = [
  '中国工商银行', '中国农业银行', '中国银行', '中国建设银行', '交通银行', '中国邮政储蓄银行',
  '招商银行', '兰州银行', '甘肃银行', '甘肃省农村信用社',
] as const;

export const PROFILE_MESSAGES = {
  checkBeforePaying: '请确认个人信息无误后再进行缴费，避免误交费。',
  mobileForReceipts: '本支付平台（收费系统）中的手机号码是学生接受缴费电子票的唯一依据，建议保持相对固定。',
  mobileKeep: '不修改手机号码请留空；修改时请输入完整的11位新号码。',
  securityNote: '注：密保是忘记密码后找回的重要途径。',
  bankNote: '银行卡用于退费，请填写本人名下的银行卡。',
  saved: {
    info: '个人信息已保存',
    password: '密码已修改，您在其他地方的登录已退出',
    security: '密保已修改',
    bank: '银行卡已修改',
    email: '个人信息已保存。确认链接已发送到新邮箱，24小时内有效；确认后才会收到缴费提醒邮件',
  },
  emailConfirmed: '已确认',
  emailPending: '待确认（请打开邮件中的确认链接）',
  emailUnsubscribed: '已确认，已退订提醒',
  emailOff: '邮件未开通',
  unchanged: '未做任何修改',
  notSet: '未设置',
  isSet: '已设置',
  mobile: '请输入11位手机号码',
  email: '邮箱格式不正确',
  emailLong: '邮箱不能超过100个字符',
  postcode: '邮编应为6位数字',
  addressLong: '地址不能超过200个字',
  passwordMissing: '请输入密码',
  passwordWrong: '密码不正确',
  locked: '密码错误次数过多，请15分钟后再试',
  question: '请选择密保问题',
  answer: '请输入密保答案',
  answerLong: '密保答案不能超过50个字',
  captcha: '请输入验证码',
  captchaWrong: '验证码不正确',
  captchaExpired: '验证码已失效，请重新输入',
  step1First: '请先验证密码',
  bankName: '请输入开户银行',
  bankNameLong: '开户银行不能超过50个字',
  cardNumber: '请输入银行卡号',
  cardInvalid: '银行卡号不正确，请核对',
} as const;
