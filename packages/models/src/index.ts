export * from './manifest.schema';
export * from './manifest';
export * from './install-models';
export * from './session';
export * from './detect.pipeline';
export * from './load-models';
export * from './parse.model';
export * from './parse';
