export * from './cells';
export * from './regimes';
