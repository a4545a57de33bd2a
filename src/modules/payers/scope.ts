// What a signed-in 授权缴费人 may reach. Their own pages (/payer…, 密码修改, 退出登录) they see as
// themselves; everything else only for the student they chose, and only the pages that show or pay
// that student's bills. For those requests the user becomes the student (their person id, 学号 and
// name, which every page and command already scopes by) with the payer kept beside it, so no
// handler needs to know payers exist, and a student's 个人信息, 交易查询 or 报名信息 are simply not on
// the list. The link is read on every request: a revoke or a disabled student takes effect at once.
import type { RequestHandler } from 'express';
import type { CurrentUser } from '../../domain/current-user';
import { forbidden } from '../../http/errors';
import { PASSWORD_CHANGE_PATH } from '../../http/guards';
import { PAYER_MESSAGES as M } from './messages';
import type { PayersService } from './service';

/** The payer's own pages: seen as the payer. */
const SELF = [/^\/payer(?:\/.*)?$/, /^\/logout$/, new RegExp(`^${PASSWORD_CHANGE_PATH}$`)];

const ORDER = '/pay/orders/XF[0-9]{6}[A-Z]{3}[0-9]{6}';
/** The student's pages a payer may use, by method. */
const FOR_STUDENT: Record<string, RegExp[]> = {
  GET: [/^\/$/, /^\/fees$/, /^\/pay$/, /^\/other-fees$/, /^\/pay\/items$/, /^\/pay\/review$/, new RegExp(`^${ORDER}(?:/(?:result|waiting|progress))?$`), /^\/pay\/wechat\/(?:oauth|jsapi\/[^/]+)$/],
  POST: [/^\/pay\/items$/, /^\/pay\/orders$/, new RegExp(`^${ORDER}/(?:submit|cancel)$`), /^\/other-fees\/choose$/],
};

export function payerScope(deps: { payers: PayersService }): RequestHandler {
  return async (req, res, next) => {
    const me = req.user;
    if (!me || me.role !== 'payer') return next();
    if (SELF.some((p) => p.test(req.path))) {
      // On their own pages the menu still leads back to the student being paid for.
      res.locals.payerHasStudent = req.session.payerStudentId !== undefined;
      return next();
    }
    const method = req.method === 'HEAD' ? 'GET' : req.method;
    if (!(FOR_STUDENT[method] ?? []).some((p) => p.test(req.path))) return next(forbidden(M.forbidden));

    let studentId = req.session.payerStudentId;
    if (studentId === undefined) {
      // One student only: chosen without asking.
      const students = await deps.payers.activeStudents(me.personId);
      if (students.length !== 1) return res.redirect(303, '/payer');
      studentId = students[0]!.studentId;
      req.session.payerStudentId = studentId;
    }
    const student = await deps.payers.studentUser(me.personId, studentId);
    if (!student) {
      delete req.session.payerStudentId;
      delete req.session.wizard;
      return res.redirect(303, '/payer?gone=1');
    }
    const acting: CurrentUser = { ...student, accountId: me.accountId, role: 'payer', mustChangePassword: false, payer: { personId: me.personId, name: me.name, mobile: me.mobile } };
    req.user = acting;
    res.locals.user = acting;
    next();
  };
}
