// Every Chinese string of 授权缴费人, in one place.
import { MAX_PAYERS } from '../../domain/payer-labels';

export const PAYER_MESSAGES = {
  name: '请输入缴费人姓名',
  nameFormat: '请输入缴费人的姓名（2至30个字）',
  mobile: '请输入手机号',
  mobileFormat: '请输入11位中国大陆手机号',
  relation: '请选择与本人的关系',
  ownMobile: '不能邀请本人的手机号',
  already: '该手机号已是您的授权缴费人或已邀请，无需重复邀请',
  full: `最多可邀请${MAX_PAYERS}位授权缴费人，请先撤销不再需要的缴费人`,
  notOpen: '该授权已撤销或已结束',
  daily: (n: number) => `24小时内最多发送${n}次邀请，请明天再试`,
  invited: (name: string) => `已向${name}的手机发送邀请短信，对方注册后即可为您缴费。`,
  revoked: (name: string) => `已撤销${name}的缴费授权，对方将不能再查看和缴纳您的费用。`,
  intro: `您可以邀请父母等家人作为授权缴费人（最多${MAX_PAYERS}位）：对方用手机号注册登录后，只能查看并缴纳您的费用；收据和电子票据仍开具给您本人。您可以随时撤销授权。`,

  captcha: '请输入验证码',
  captchaWrong: '验证码不正确',
  captchaExpired: '验证码已失效，请重新输入',
  /** Said to a mobile no student invited and no payer registered, whatever else was typed. */
  noInvitation: '该手机号没有待接受的缴费授权邀请，请确认学生已在“个人信息 > 授权缴费人”中邀请了这个手机号',
  startIntro: '学生邀请您为其缴费后，请用收到邀请短信的手机号注册；已注册的缴费人忘记密码时，也可在此用手机号重设密码。注册后用手机号登录。',
  sent: (masked: string) => `短信验证码已发送至 ${masked}，5分钟内有效。`,
  resent: '已重新发送短信验证码。',
  expired: '注册已超时，请重新开始',
  codeLabel: '授权缴费人注册',
  registeredLogin: '注册成功，请用手机号和刚设置的密码登录。',
  resetLogin: '密码已重设，请用手机号和新密码登录。',

  chooseIntro: '请选择要为其缴费的学生。缴费后的收据和电子票据开具给学生本人。',
  none: '目前没有学生授权您为其缴费。',
  gone: '该学生的缴费授权已撤销或已停用。',
  accepted: '已接受缴费授权。',
  declined: '已拒绝该缴费授权。',
  notInvited: '该邀请已处理或已撤销',
  notYours: '该学生未授权您缴费',
  forbidden: '授权缴费人只能查看和缴纳所授权学生的费用',

  inviteSms: (p: { schoolName: string; student: string; relation: string; url: string }) =>
    `【${p.schoolName}】${p.student}邀请您（${p.relation}）作为授权缴费人，为其缴纳学校费用。请访问 ${p.url} 用本手机号注册。如不认识该学生，请忽略本短信。`,
} as const;
