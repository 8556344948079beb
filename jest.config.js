/**
 * Unit tests sit beside the code (`*.test.ts`); integration, golden and eval tests live in
 * `test/`. Everything runs against the real Redis and real models; there are no mocks.
 */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: '<rootDir>/test/support/node-environment.js',
  roots: ['<rootDir>/packages', '<rootDir>/apps', '<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }],
    // onnx-buf (the ONNX protobuf schema) ships ES modules only; Node loads them with
    // require(), jest's module system needs them compiled to CommonJS first.
    '/node_modules/onnx-buf/.+\\.js$': [
      'ts-jest',
      { tsconfig: { allowJs: true, module: 'commonjs', target: 'ES2022' }, isolatedModules: true },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!onnx-buf/)'],
  moduleNameMapper: {
    '^@argus/([a-z-]+)$': '<rootDir>/packages/$1/src',
    // The WebUI's browser modules import siblings as `./x.js` (ES module URLs); in jest
    // those are the TypeScript sources.
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testTimeout: 60_000,
  // Integration suites start real processes and share one Redis: one file at a time keeps
  // CPU-bound inference from skewing each other's timeouts on a 2-core machine.
  maxWorkers: 1,
};
