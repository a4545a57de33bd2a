// Every label the platform shows for a stored code, in one place, so a service, an EJS view and a
// CSV export never spell a channel or a status two ways. Views get these through res.locals
// (src/app.ts); code imports them from here.
export { CHANNEL_LABEL, CHOICE_LABEL, channelLabel } from './channels';
export { STATUS_LABEL as ORDER_STATUS_LABEL } from './order-state';
export {
  DIFFERENCE_ACTION_LABEL, DIFFERENCE_KIND_LABEL, OVERPAYMENT_KIND_LABEL, OVERPAYMENT_STATUS_LABEL, RUN_STATUS_LABEL, RUN_TRIGGER_LABEL,
} from './reconcile';
