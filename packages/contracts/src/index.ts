export * from './errors';
export * from './job-catalog';
export * from './results';
export * from './parse-result';
export * from './job-view';
export * from './lifecycle';
export * from './video';
export * from './stream';
