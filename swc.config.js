// swc options shared by jest (@swc/jest) and the TypeScript runner (tools/scripts/run-ts.mjs).
// Nest's dependency injection needs decorator metadata, which esbuild-based runners cannot emit.
module.exports = {
  jsc: {
    target: 'es2022',
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    keepClassNames: true,
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};
