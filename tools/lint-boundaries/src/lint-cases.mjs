// Lints in-memory sources as if they were files at the given paths, with the workspace's eslint config.
// Runs as its own process because jest's module sandbox cannot load an ESM eslint config.
// stdin: [{ file, code }]   stdout: [[{ ruleId, severity, message }]]
import { ESLint } from 'eslint';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../../..');
const cases = JSON.parse(await new Response(process.stdin).text());
const eslint = new ESLint({ cwd: root });
const results = [];
for (const { file, code } of cases) {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  results.push((result?.messages ?? []).map(({ ruleId, severity, message }) => ({ ruleId, severity, message })));
}
process.stdout.write(JSON.stringify(results));
