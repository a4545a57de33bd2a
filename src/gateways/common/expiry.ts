// The grace after an attempt's expiry before a channel that cannot close it is taken to have
// closed it: the channel's clock may run behind ours, and a payer who opened the page just before
// its expiry may still be finishing. Until then the adapters report such a page as open/unpaid,
// and the payment service keeps it live.
export const EXPIRY_GRACE_MS = 120_000;

/** Whether `expiresAt` plus the grace has passed at `now`. */
export const pastGrace = (expiresAt: Date, now = new Date()): boolean => now.getTime() >= expiresAt.getTime() + EXPIRY_GRACE_MS;
