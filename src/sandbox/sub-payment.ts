// Moved to the simulators' kit; kept here for the simulators that import it from this path.
export * from './kit/sub-payment';
