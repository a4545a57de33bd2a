// 文件传输 (fileTransfer, txnType 76) on the file-download host, simulated: the day's payments
// and gateway refunds as the ZM statement inside a zip, sent deflated and base64 in fileContent.
import { deflateSync } from 'node:zlib';
import type { Router } from 'express';
import { businessDate } from '../../domain/business-date';
import { compactDateTime } from '../../gateways/common/crypto';
import { writeZip } from '../../gateways/common/zip';
import { ZM, formatZmLine } from '../../gateways/unionpay/statement';
import { statementRows, type SimTrade } from '../kit';
import type { UnionpayGatewayDeps } from './refunds';

export function fileTransferRoutes(router: Router, d: UnionpayGatewayDeps): void {
  const { settings: s, trades, refundTxns, checked, answer, head } = d;
  // The file-download host (acpsdk.fileTransUrl): posted to at its root, not under /gateway/api.
  router.post('/filedownload/', (req, res) => {
    const f = checked(req);
    if (!f) return answer(res, { merId: s.merId, respCode: '11', respMsg: '验证签名失败' });
    if (f.txnType !== '76' || f.fileType !== '00' || f.bizType !== '000000') return answer(res, { ...head(f), respCode: '12', respMsg: '交易类型不支持' });
    const mmdd = /^\d{4}$/.test(f.settleDate ?? '') ? `${f.settleDate!.slice(0, 2)}-${f.settleDate!.slice(2)}` : '';
    const common = (t: SimTrade, at: Date) => ({ [ZM.txnCode]: 'S22', [ZM.traceNo]: t.extra.traceNo ?? '', [ZM.transTime]: compactDateTime(at).slice(4), [ZM.accNo]: `621626*******${t.extra.card ?? '0018'}`.slice(0, 19), [ZM.fee]: 'C000000000000', [ZM.merId]: s.merId, [ZM.bizType]: '000201' });
    const rows: { at: Date; line: Buffer }[] = [];
    for (const row of statementRows(trades.values(), (at) => businessDate(at).slice(5) === mmdd)) {
      const t = row.trade;
      if (row.kind === 'payment') {
        rows.push({ at: row.at, line: formatZmLine({ ...common(t, row.at), [ZM.txnAmt]: String(row.fen), [ZM.queryId]: t.tradeNo!, [ZM.orderId]: t.orderNo, [ZM.settleAmt]: `C${String(row.fen).padStart(12, '0')}`, [ZM.txnType]: '01', [ZM.txnSubType]: '01' }) });
        continue;
      }
      // Only refunds made at this gateway (backTransReq.do) are refund transactions with a queryId.
      const r = refundTxns.get(row.refund.refundNo);
      if (!r) continue;
      rows.push({ at: row.at, line: formatZmLine({
        ...common(t, row.at), [ZM.txnCode]: 'S30', [ZM.txnAmt]: String(row.fen), [ZM.queryId]: r.queryId, [ZM.orderId]: r.refundNo, [ZM.settleAmt]: `D${String(row.fen).padStart(12, '0')}`,
        [ZM.txnType]: '04', [ZM.txnSubType]: '00', [ZM.origQryId]: t.tradeNo!, [ZM.origOrderId]: t.orderNo,
      }) });
    }
    if (!rows.length) return answer(res, { txnType: '76', txnSubType: f.txnSubType ?? '', bizType: '000000', merId: s.merId, settleDate: f.settleDate ?? '', respCode: '98', respMsg: '文件不存在' });
    const year = businessDate(rows[0]!.at).slice(0, 4);
    const yymmdd = `${year.slice(2)}${f.settleDate}`;
    const zip = writeZip([
      { name: `INN${yymmdd}88ZM_${s.merId}`, data: Buffer.concat(rows.flatMap((r) => [r.line, Buffer.from('\r\n')])) },
      { name: `INN${yymmdd}88ZME_${s.merId}`, data: Buffer.alloc(0) },
    ]);
    answer(res, {
      txnType: '76', txnSubType: f.txnSubType ?? '', bizType: '000000', merId: s.merId, settleDate: f.settleDate ?? '', txnTime: f.txnTime ?? '',
      fileType: '00', fileName: `${s.merId}_${year}${f.settleDate}.zip`, fileContent: deflateSync(zip).toString('base64'),
      respCode: '00', respMsg: '成功[0000000]',
    });
  });
}
