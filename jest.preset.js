// Shared jest settings for every project. Plain CommonJS on purpose: the jest.config.cts files that
// the Nx 23 Nest preset generates fail to type-check here ("Cannot find name 'module'"), so every
// project uses a two-line jest.config.js that spreads this preset instead.
const path = require('node:path');
const { compilerOptions } = require('./tsconfig.base.json');

const root = __dirname;
const moduleNameMapper = {};
for (const [alias, [target]] of Object.entries(compilerOptions.paths)) {
  moduleNameMapper[`^${alias.replace('*', '(.*)')}$`] = path.join(root, target.replace('*', '$1'));
}

/** @param {string} projectDir absolute path of the project (pass __dirname) */
module.exports = function preset(projectDir) {
  return {
    displayName: path.relative(root, projectDir),
    rootDir: projectDir,
    testEnvironment: 'node',
    testMatch: ['<rootDir>/**/*.spec.ts', '<rootDir>/**/*.int-spec.ts'],
    transform: { '^.+\\.ts$': ['@swc/jest', { swcrc: false, ...require('./swc.config.js') }] },
    moduleFileExtensions: ['ts', 'js', 'json'],
    moduleNameMapper,
    // Real servers are started once per `npm test` run (see libs/testing/src/global-setup.ts).
    globalSetup: path.join(root, 'libs/testing/src/global-setup.ts'),
    globalTeardown: path.join(root, 'libs/testing/src/global-teardown.ts'),
    testTimeout: 60_000,
  };
};
