// The manifest (schema, reader, OIP metadata) is @argus/manifest's, re-exported for the users of @argus/models.
export * from '@argus/manifest';
export * from './install-models';
export * from './session';
export * from './detect.pipeline';
export * from './load-models';
export * from './parse.model';
export * from './segment.pipeline';
export * from './parse';
