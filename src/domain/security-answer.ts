// 密保答案 are typed months apart, on a phone or a PC, with or without an IME: "Lan Zhou",
// "lanzhou" and "ｌａｎｚｈｏｕ" are the same answer. NFKC folds full-width forms, then case and
// every kind of space (including the ideographic one) are dropped before hashing.

export function normaliseAnswer(answer: string): string {
  return answer.normalize('NFKC').toLowerCase().replace(/\s+/g, '');
}
