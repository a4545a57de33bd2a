import 'express-session';
import type { CurrentUser } from './modules/auth/current-user';

declare module 'express-session' {
  interface SessionData {
    accountId: number;
    /** Touched on anonymous pages that carry a form, so the CSRF token has a stable session to bind to. */
    anon: true;
    /** Step 1 of 密保修改 (图6, 验证密码) passed in this session; 图7's form needs it. */
    securityVerifiedAt: number;
    /**
     * 找回密码 in progress. accountId is null for a user name / ID pair that matched nobody: the
     * flow carries on with a stand-in question so the pages never say whether the pair exists.
     */
    recovery: { accountId: number | null; lockKey: string; question: string; answered: boolean; expires: number };
    /** 新用户注册 in progress (src/modules/registration): who is registering and the SMS code sent. */
    registration: { name: string; idNumber: string; mobile: string; codeId: string; nextAt: number; expires: number };
    /** 授权缴费人注册 in progress (src/modules/payers): the mobile and the SMS code sent. */
    payerFlow: { mobile: string; codeId: string; existing: boolean; inviters: string[]; nextAt: number; expires: number };
    /** The student an 授权缴费人 is paying for now (src/modules/payers/scope.ts). */
    payerStudentId: number;
    /** The 身份证号 (or a payer's mobile) just registered: the login page's 用户名, once. */
    registeredIdNumber: string;
    wizard: Record<string, unknown>;
    /** 微信支付 JSAPI: the payer's openid under the school's official account, from 网页授权. */
    wechatOpenid: string;
    /** 网页授权 under way: its state (checked when WeChat sends the browser back) and the order it is for. */
    wechatOauth: { state: string; orderNo: string };
    /** 微信支付 JSAPI: what the page hands WeixinJSBridge, for the order just submitted. */
    wechatJsapi: { orderNo: string; params: Record<string, string> };
  }
}

declare global {
  namespace Express {
    interface Request {
      user?: CurrentUser;
      /** The request carried our session cookie, but its session had ended (src/http/session-timeout.ts). */
      sessionTimedOut?: boolean;
    }
    interface Locals {
      user?: CurrentUser;
      csrfToken: string;
    }
  }
}
