export * from './redis-connection';
export * from './keys';
export * from './queues';
export * from './blob-store';
export * from './worker-registry';
export * from './job-events';
export * from './api-keys';
export * from './rate-limiter';
