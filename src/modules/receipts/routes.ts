import { Router } from 'express';
import { parseQuery } from '../../http/query';
import { FEE_TYPES, receiptsQuery } from './schemas';
import type { ReceiptsService } from './service';

export function receiptsRoutes(deps: { receipts: ReceiptsService }) {
  const r = Router();

  r.get('/transactions/receipts', async (req, res) => {
    const { data, errors } = parseQuery(receiptsQuery, req.query);
    const view = await deps.receipts.list(req.user!.personId, data);
    res.render('receipts/list', { title: '已缴费信息', crumbs: ['交易查询', '已缴费信息'], nav: 'transactions', sub: 'receipts', feeTypes: FEE_TYPES, ...view, notices: [...errors, ...view.notices] });
  });

  r.get('/transactions/receipts/:receiptNo', async (req, res) => {
    const receipt = await deps.receipts.detail(req.user!.personId, req.params.receiptNo);
    res.render('receipts/detail', { title: '收费单明细', crumbs: ['已缴费信息', '收费单明细'], nav: 'transactions', sub: 'receipts', receipt });
  });

  return r;
}
