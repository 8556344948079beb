export * from './config.schema';
export * from './load-config';
export * from './logger';
export * from './run-service';
export * from './memory-limit';
