// The manifest lives in @argus/manifest (no onnxruntime, so the gateway can read it); the
// pipelines here keep importing it by this path.
export * from '@argus/manifest';
