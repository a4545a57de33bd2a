// The signed-in user's shape lives in src/domain (the HTTP layer's guards need it too).
export type { CurrentUser, Role } from '../../domain/current-user';
