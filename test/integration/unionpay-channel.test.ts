// 银联在线支付 (5.1.0, signMethod 01) through the real platform: the auto-posted front form, the
// bank page in the style of 图22, back notifications repeated until HTTP 200, queryTrans
// (origRespCode), refunds and the statement file.
import { describe, expect, it } from 'vitest';
import { parseAcpResponse } from '../../src/gateways/unionpay/codec';
import { doneWhen, platformWorld, protocolCases } from './channel-harness';

const w = await platformWorld('unionpay');
doneWhen(w, '银联在线支付');
// The statement's archive copy names the zip and its INN…ZM_ file (src/gateways/unionpay/statement.ts).
protocolCases(w, '银联在线支付', { statementMark: 'ZM_' });

describe('银联在线支付: the gateway refuses what is not signed by our merchant key', () => {
  it('a front form with a changed amount shows an error page, and queryTrans answers an unsigned request with respCode 11', async () => {
    const s = await w.student('249.99');
    const orderNo = await w.order(s);
    const action = await w.submit(s, orderNo);
    if (action.kind !== 'form') throw new Error('front form expected');
    expect(action.fields).toMatchObject({ version: '5.1.0', signMethod: '01', txnType: '01', txnAmt: '24999', orderId: orderNo });
    const res = await fetch(action.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ ...action.fields, txnAmt: '1' }).toString() });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('商户签名验证失败');
    const q = await fetch(action.url.replace('frontTransReq.do', 'queryTrans.do'), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ version: '5.1.0', merId: action.fields.merId!, orderId: orderNo }).toString() });
    expect(parseAcpResponse(await q.text())?.respCode).toBe('11');
  });
});
