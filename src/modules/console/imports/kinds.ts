export type ImportKind = 'people' | 'bills';
