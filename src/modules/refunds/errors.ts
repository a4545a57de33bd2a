// A channel refund whose answer is not known: the refund stays pending under `refundNo` (its
// amount reserved) until the refund-query job asks the channel about it. An AppError 'uncertain',
// shown beside the refund form's 退费方式.
import { AppError } from '../../domain/app-error';

export class RefundUncertainError extends AppError {
  constructor(message: string, readonly refundNo: string) {
    super('uncertain', message, 'mode');
    this.name = 'RefundUncertainError';
  }
}
