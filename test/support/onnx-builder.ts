/**
 * Builds ONNX models for tests without any dependency: the writer (onnx-writer.ts) and the
 * ready-made models (onnx-slow-models.ts, onnx-schp-like.ts), re-exported from one place.
 *
 * Suites that run these models with onnxruntime rely on the project's jest environment
 * (test/support/node-environment.js), which shares typed arrays with onnxruntime's context.
 */
export * from './onnx-writer';
export * from './onnx-slow-models';
export * from './onnx-schp-like';
