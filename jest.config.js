// `npm test` runs every project in one jest process, so the real servers start once per run
// (libs/testing/src/global-setup.ts). `nx test <project>` runs one project's own jest.config.js.
const { existsSync, readdirSync } = require('node:fs');
const path = require('node:path');

const projects = ['apps', 'libs', 'tools']
  .flatMap((group) => readdirSync(path.join(__dirname, group)).map((name) => path.join(group, name)))
  .filter((dir) => existsSync(path.join(__dirname, dir, 'jest.config.js')))
  .sort();

module.exports = {
  projects: projects.map((dir) => `<rootDir>/${dir}/jest.config.js`),
  // A global option: jest ignores it in the projects' own configs when it runs several projects.
  testTimeout: 60_000,
};
