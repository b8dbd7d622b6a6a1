import nx from '@nx/eslint-plugin';

// Module boundaries of docs/architecture.md, enforced. tools/lint-boundaries proves each constraint
// by linting fixtures that must FAIL: a mistyped tag here would otherwise silently allow everything.
const depConstraints = [
  {
    sourceTag: 'layer:contracts',
    onlyDependOnLibsWithTags: ['layer:contracts'],
    bannedExternalImports: ['@nestjs/*', 'amqplib', 'amqp-connection-manager', '@prisma/*', 'pg'],
  },
  { sourceTag: 'layer:foundation', onlyDependOnLibsWithTags: ['layer:contracts', 'layer:foundation'] },
  { sourceTag: 'layer:infra', onlyDependOnLibsWithTags: ['layer:contracts', 'layer:infra'] },
  { sourceTag: 'layer:transport', onlyDependOnLibsWithTags: ['layer:contracts', 'layer:foundation', 'layer:transport'] },
  {
    sourceTag: 'layer:reliability',
    onlyDependOnLibsWithTags: ['layer:contracts', 'layer:foundation', 'layer:transport', 'layer:reliability'],
  },
  {
    sourceTag: 'layer:orchestration',
    onlyDependOnLibsWithTags: ['layer:contracts', 'layer:foundation', 'layer:transport', 'layer:reliability', 'layer:orchestration'],
  },
  {
    // Services reach the broker only through libs/messaging (and later the outbox): no raw clients.
    sourceTag: 'type:app',
    onlyDependOnLibsWithTags: ['type:lib'],
    bannedExternalImports: ['amqplib', 'amqp-connection-manager'],
  },
  { sourceTag: 'scope:broker', onlyDependOnLibsWithTags: ['type:lib'], allowedExternalImports: ['*'] },
  { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:lib', 'type:testing', 'type:tool'] },
  { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:tool', 'type:lib'] },
  { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['layer:contracts', 'type:testing'] },
];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    ignores: ['**/node_modules', '**/dist', '.local', '.nx', 'prisma/*/generated', 'tools/lint-boundaries/fixtures'],
  },
  {
    files: ['**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        { enforceBuildableLibDependency: false, allow: [], depConstraints },
      ],
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    // Specs (and libraries' test-support folders) may also use the test harness.
    files: ['apps/**/*.spec.ts', 'apps/**/*.int-spec.ts', 'libs/**/*.spec.ts', 'libs/**/*.int-spec.ts', 'libs/*/src/test-support/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          // Tests may also drive the broker with a raw client, to check what the libraries do.
          depConstraints: depConstraints.map((c) =>
            c.sourceTag === 'type:app' || c.sourceTag === 'scope:broker'
              ? { sourceTag: c.sourceTag, onlyDependOnLibsWithTags: [...c.onlyDependOnLibsWithTags, 'type:testing'] }
              : c.sourceTag.startsWith('layer:')
                ? { ...c, onlyDependOnLibsWithTags: [...c.onlyDependOnLibsWithTags, 'type:testing'] }
                : c,
          ),
        },
      ],
    },
  },
  {
    // Libraries take typed options; only an app's config (and the test harness) read the environment.
    files: ['libs/*/src/**/*.ts'],
    ignores: ['libs/config/**', 'libs/testing/**', 'libs/local-servers/**'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Libraries take typed options; read settings in the app config.' },
      ],
    },
  },
];
