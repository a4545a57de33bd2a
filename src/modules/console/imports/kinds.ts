export type ImportKind = 'people' | 'bills' | 'loans';
