// The simulators' kit: what every channel simulator shares, so that a channel's folder holds
// only its own wire format, pages and statement layout. See docs/channels.md, "How to add a channel".
export { createControl, loopbackOnly, queryFault, FAULT_KINDS, type Fault, type FaultKind, type Mutation, type NotificationRecord, type SandboxChannel, type SandboxControl } from '../control';
export { expireIfDue, newTrade, pageState, refundTrade, statementRows, tradeBook, type RefundOutcome, type SimRefund, type SimTrade, type StatementRow, type TradeBook, type TradeBookOptions } from './trades';
export { checkoutRoutes, type CheckoutSpec } from './checkout';
export { asUnpaid, notifyPaid, releaseHeld } from './notify';
export { FISCAL_PAYEE, subPaymentBook, type SubPayment, type SubPaymentChannel, type SubPaymentRequest } from './sub-payment';
