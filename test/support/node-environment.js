/**
 * Jest's node environment runs each test file in its own V8 context, with its own typed
 * array constructors. onnxruntime-node builds its output tensors in the main context, so
 * its `data instanceof Float32Array` checks fail inside a test ("A float32 tensor's data
 * must be type of function Float32Array()"). Tests share the main context's typed arrays,
 * as production code (one context) always does.
 */
const { TestEnvironment } = require('jest-environment-node');

const TYPED_ARRAYS = [
  'Float32Array',
  'Float64Array',
  'Int8Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Int16Array',
  'Uint16Array',
  'Int32Array',
  'Uint32Array',
  'BigInt64Array',
  'BigUint64Array',
  'ArrayBuffer',
];

class ArgusTestEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of TYPED_ARRAYS) this.global[name] = globalThis[name];
  }
}

module.exports = ArgusTestEnvironment;
