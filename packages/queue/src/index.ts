/**
 * @argus/queue is Argus' Redis data layer: the one package that owns every Redis key
 * (keys.ts) and every Redis read and write. Apps get connections from `createRedis` (the
 * connection policy, command deadlines) and talk to Redis only through the typed
 * repositories below: queues, uploads, the result cache, job records, cancel flags, the
 * webhook delivery log and job events, idempotency keys, rate limits, API keys, the worker
 * registry, metrics snapshots, the epoch and live streams. (The name predates that role;
 * renaming it would touch every import for no gain.)
 */
export * from './redis-connection';
export * from './keys';
export * from './queues';
export * from './worker-registry';
export * from './job-events';
export * from './api-keys';
export * from './rate-limiter';
export * from './delivery-log';
export * from './job-id';
export * from './redis-epoch';
export * from './stream-store';
export * from './redis-errors';
export * from './result-cache.repository';
export * from './upload-store.repository';
export * from './job-record.repository';
export * from './cancel-flags.repository';
export * from './idempotency.repository';
export * from './metrics-snapshot.repository';
export * from './stream-feeds';
export * from './stream-webhooks';
export * from './video-chunks.repository';
