export { Registry, collectDefaultMetrics } from 'prom-client';
export * from './gateway.metrics';
export * from './worker.metrics';
export * from './snapshot';
export * from './snapshot-pusher';
export * from './merge-metrics';
export * from './stream.metrics';
