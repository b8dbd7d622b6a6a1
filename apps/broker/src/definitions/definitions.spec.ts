import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BrokerFiles } from '../broker-settings';
import {
  definitionsFileState,
  expectedDefinitionsContent,
  RegenerateDefinitionsCommand,
  writeDefinitionsFile,
} from './definitions-file';

describe('apps/broker/definitions.json', () => {
  it('is what the topology generates (regenerate it after changing the topology)', () => {
    const committed = readFileSync(BrokerFiles.definitions, 'utf8');
    if (committed !== expectedDefinitionsContent()) {
      throw new Error(
        `apps/broker/definitions.json is stale: the topology in libs/contracts changed since it was generated. ` +
          `Run \`${RegenerateDefinitionsCommand}\` and commit the file.`,
      );
    }
  });
});

describe('definitions file check', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'orderly-definitions-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('tells a missing, a stale and a fresh file apart, and writing makes it fresh', () => {
    const file = path.join(dir, 'definitions.json');
    expect(definitionsFileState(file)).toBe('missing');
    writeFileSync(file, expectedDefinitionsContent().replace('"orderly"', '"renamed"'));
    expect(definitionsFileState(file)).toBe('stale');
    expect(writeDefinitionsFile(file)).toBe(true);
    expect(definitionsFileState(file)).toBe('fresh');
    expect(writeDefinitionsFile(file)).toBe(false);
  });
});
