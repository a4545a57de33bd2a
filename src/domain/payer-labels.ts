// 授权缴费人 in the words students, payers and finance read (spread into src/domain/labels.ts).

/** How many payers a student may have invited or active at once. */
export const MAX_PAYERS = 5;

/** 关系, as the invitation asks for it. */
export const PAYER_RELATIONS = ['父亲', '母亲', '其他'] as const;
export type PayerRelation = (typeof PAYER_RELATIONS)[number];

export type PayerLinkStatus = 'invited' | 'active' | 'declined' | 'revoked';
export const PAYER_LINK_STATUS_LABEL: Record<PayerLinkStatus, string> = { invited: '待接受', active: '已授权', declined: '已拒绝', revoked: '已撤销' };

export const PAYER_AUDIT_LABEL: Record<string, string> = {
  'payer.invite': '邀请授权缴费人', 'payer.revoke': '撤销授权缴费人', 'payer.register': '授权缴费人注册', 'payer.password': '授权缴费人重设密码',
  'payer.accept': '接受缴费授权', 'payer.decline': '拒绝缴费授权',
};
