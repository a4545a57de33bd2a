// The platform and the sandbox on real ports, and the payer's ways through them: all in world.ts.
export * from './world';
