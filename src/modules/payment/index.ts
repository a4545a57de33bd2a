// The payment module's public face; its services are built in the composition root (src/services.ts).
export { attemptView, channelView, type ChannelViewDeps } from './channel-view';
export { paymentRepo, type PaymentRepo } from './repo';
export { paymentService, type PaymentService } from './service';
