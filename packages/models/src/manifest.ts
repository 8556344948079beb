// See manifest.schema.ts: the reader lives in @argus/manifest.
export * from '@argus/manifest';
