import { Router } from 'express';
import { pageReadFor } from '../../http/page-reads';
import { parseQuery } from '../../http/query';
import type { PdfLimit } from '../ebills/pdf-limit';
import { ebillsRoutes } from '../ebills/routes';
import type { EbillsService } from '../ebills/service';
import { receiptsRoutes } from '../receipts/routes';
import { pageQuery } from '../receipts/schemas';
import type { ReceiptsService } from '../receipts/service';
import { bankFirstPageRead } from './page-reads';
import type { TransactionsService } from './service';

function bankRoutes(deps: { transactions: TransactionsService }) {
  const r = Router();
  r.get('/transactions', (_req, res) => res.redirect(303, '/transactions/bank'));

  r.get('/transactions/bank', async (req, res) => {
    const { data, errors } = parseQuery(pageQuery, req.query);
    const view = await deps.transactions.bankRecords(req.user!.personId, data.page, pageReadFor(req, bankFirstPageRead));
    res.render('transactions/bank', { title: '银行交易记录', crumbs: ['交易查询', '银行交易记录'], nav: 'transactions', sub: 'bank', ...view, notices: [...errors, ...view.notices] });
  });

  r.get('/transactions/orders/:orderNo', async (req, res) => {
    const order = await deps.transactions.order(req.user!.personId, req.params.orderNo);
    res.render('transactions/order', { title: '交易明细', crumbs: ['交易查询', '银行交易记录', '明细'], nav: 'transactions', sub: 'bank', order });
  });
  return r;
}

/** 交易查询: 银行交易记录, 已缴费信息 and the bills. Everything here is the signed-in person's own. */
export function transactionsRoutes(deps: { transactions: TransactionsService; receipts: ReceiptsService; ebills: EbillsService; pdfLimit?: PdfLimit }) {
  const r = Router();
  r.use(bankRoutes({ transactions: deps.transactions }));
  r.use(receiptsRoutes({ receipts: deps.receipts }));
  r.use(ebillsRoutes({ ebills: deps.ebills, pdfLimit: deps.pdfLimit }));
  return r;
}
