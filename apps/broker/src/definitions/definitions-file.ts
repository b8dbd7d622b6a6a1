import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { Topology } from '@orderly/contracts';
import { BrokerFiles } from '../broker-settings';
import { buildDefinitions, renderDefinitions } from './build-definitions';

/** What a developer runs after changing the topology; quoted by every staleness message. */
export const RegenerateDefinitionsCommand = 'npm run broker -- definitions';

export type DefinitionsFileState = 'fresh' | 'stale' | 'missing';

/** The committed definitions.json as it should read for the current topology. */
export function expectedDefinitionsContent(): string {
  return renderDefinitions(buildDefinitions(Topology));
}

export function definitionsFileState(file: string = BrokerFiles.definitions): DefinitionsFileState {
  if (!existsSync(file)) return 'missing';
  return readFileSync(file, 'utf8') === expectedDefinitionsContent() ? 'fresh' : 'stale';
}

/** Writes the file; returns whether its content changed. */
export function writeDefinitionsFile(file: string = BrokerFiles.definitions): boolean {
  const content = expectedDefinitionsContent();
  if (existsSync(file) && readFileSync(file, 'utf8') === content) return false;
  writeFileSync(file, content);
  return true;
}
