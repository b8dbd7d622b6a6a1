import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Figure } from './bench-suite';

export interface Machine {
  cpus: number;
  cpuModel: string;
  node: string;
  rabbitmq: string;
}

export interface ResultsFile {
  suite: string;
  date: string;
  machine: Machine;
  figures: Figure[];
  [detail: string]: unknown;
}

export const resultsDir = path.resolve(__dirname, '..', 'results');

export function describeMachine(rabbitmqVersion: string): Machine {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    node: process.version,
    rabbitmq: rabbitmqVersion,
  };
}

/** Writes `bench/results/<suite>.json` (replacing the previous run's) and returns its path. */
export function writeResults(results: ResultsFile): string {
  mkdirSync(resultsDir, { recursive: true });
  const file = path.join(resultsDir, `${results.suite}.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  return file;
}
