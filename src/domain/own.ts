// A lookup of a user-supplied key in a plain record: only the record's own keys count, so
// `toString`, `constructor` or `__proto__` typed into a form never find Object.prototype's members.

export function own<V>(record: Readonly<Record<string, V>>, key: unknown): V | undefined {
  return typeof key === 'string' && Object.hasOwn(record, key) ? record[key] : undefined;
}

export function isOwnKey<K extends string>(record: Readonly<Record<K, unknown>>, key: unknown): key is K {
  return typeof key === 'string' && Object.hasOwn(record, key);
}
