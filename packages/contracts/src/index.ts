export * from './errors';
export * from './job-catalog';
export * from './results';
export * from './lifecycle';
export * from './video';
export * from './stream';
