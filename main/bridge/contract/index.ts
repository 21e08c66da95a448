export * from './contract';
export * from './errors';
export * from './money';
export * from './mask';
export * from './id-number';
export * from './status';
export * from './fleet';
export * from './technician-text';
