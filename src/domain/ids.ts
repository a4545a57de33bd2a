// The shape of a database id in a URL or a form: a positive integer of at most `digits` digits
// (serial ids; 9 digits stay inside a 32-bit integer column).
export const ID_PATTERN = /^[1-9]\d{0,8}$/;

export const idPattern = (digits: number): RegExp => new RegExp(`^[1-9]\\d{0,${digits - 1}}$`);
