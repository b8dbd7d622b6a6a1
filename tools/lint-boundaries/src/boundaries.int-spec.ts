import { createProjectGraphAsync } from '@nx/devkit';
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '../../..');

// Each case is source code linted as if it were a file at `file`. Files need not exist: the module
// boundary rule places a file in a project by its path, through the Nx project graph.
const forbidden: Array<{ what: string; file: string; code: string; rule: string }> = [
  {
    what: 'contracts importing another library of ours',
    file: 'libs/contracts/src/fixture.ts',
    code: "import { MessagingModule } from '@orderly/messaging';\nexport const x = MessagingModule;\n",
    rule: '@nx/enforce-module-boundaries',
  },
  {
    what: 'contracts importing NestJS',
    file: 'libs/contracts/src/fixture.ts',
    code: "import { Injectable } from '@nestjs/common';\nexport const x = Injectable;\n",
    rule: '@nx/enforce-module-boundaries',
  },
  {
    what: 'a foundation library importing the transport',
    file: 'libs/observability/src/fixture.ts',
    code: "import { AmqpConnection } from '@orderly/messaging';\nexport const x = AmqpConnection;\n",
    rule: '@nx/enforce-module-boundaries',
  },
  {
    what: 'a service importing amqplib directly',
    file: 'apps/order-service/src/fixture.ts',
    code: "import { connect } from 'amqplib';\nexport const x = connect;\n",
    rule: '@nx/enforce-module-boundaries',
  },
  {
    what: 'a service importing another service',
    file: 'apps/order-service/src/fixture.ts',
    code: "import { AppModule } from '../../inventory-service/src/app.module';\nexport const x = AppModule;\n",
    rule: '@nx/enforce-module-boundaries',
  },
  {
    what: 'a service importing the test harness outside its specs',
    file: 'apps/order-service/src/fixture.ts',
    code: "import { createTestVhost } from '@orderly/testing';\nexport const x = createTestVhost;\n",
    rule: '@nx/enforce-module-boundaries',
  },
  {
    what: 'a library reading process.env',
    file: 'libs/messaging/src/fixture.ts',
    code: "export const url = process.env['AMQP_URL'];\n",
    rule: 'no-restricted-properties',
  },
];

const allowed: Array<{ what: string; file: string; code: string }> = [
  {
    what: 'a service importing a library',
    file: 'apps/order-service/src/fixture.ts',
    code: "import { MessagingModule } from '@orderly/messaging';\nexport const x = MessagingModule;\n",
  },
  {
    what: 'a service spec importing the test harness',
    file: 'apps/order-service/src/fixture.int-spec.ts',
    code: "import { createTestVhost } from '@orderly/testing';\nexport const x = createTestVhost;\n",
  },
  {
    what: 'the transport importing contracts and foundation',
    file: 'libs/messaging/src/fixture.ts',
    code: "import { LoggingModule } from '@orderly/observability';\nexport const x = LoggingModule;\n",
  },
];

type Message = { ruleId: string | null; severity: number; message: string };

describe('module boundaries (eslint.config.mjs)', () => {
  let results: Message[][];

  beforeAll(async () => {
    // Without a project graph the Nx rule only warns and skips: build it first so the rule really runs.
    await createProjectGraphAsync({ exitOnError: false });
    const cases = [...forbidden, ...allowed].map(({ file, code }) => ({ file, code }));
    const output = execFileSync(process.execPath, [path.join(__dirname, 'lint-cases.mjs')], {
      cwd: root,
      input: JSON.stringify(cases),
      encoding: 'utf8',
      env: { ...process.env, NX_DAEMON: 'false' },
    });
    results = JSON.parse(output) as Message[][];
  }, 120_000);

  it.each(forbidden.map((c, i) => ({ ...c, i })))('rejects $what', ({ rule, i }) => {
    expect((results[i] ?? []).filter((m) => m.severity === 2).map((m) => m.ruleId)).toContain(rule);
  });

  it.each(allowed.map((c, i) => ({ ...c, i: forbidden.length + i })))('accepts $what', ({ i }) => {
    expect(results[i]).toBeDefined();
    expect((results[i] ?? []).filter((m) => m.severity === 2 || m.ruleId === '@nx/enforce-module-boundaries')).toEqual([]);
  });
});
