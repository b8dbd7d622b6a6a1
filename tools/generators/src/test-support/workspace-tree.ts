import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';

const root = path.resolve(__dirname, '../../../..');

/** The workspace files the generators read or edit, copied from this checkout into an in-memory tree. */
export const EditedFiles = [
  'libs/contracts/src/topology/names.ts',
  'libs/contracts/src/topology/topology.ts',
  'libs/contracts/src/index.ts',
  'libs/outbox/prisma/outbox.prisma',
  'tsconfig.base.json',
  'docker-compose.yml',
  'tools/docker/postgres/create-service-databases.sh',
  '.env.example',
  'grafana/prometheus/prometheus.yml',
] as const;

export function workspaceTree(extra: readonly string[] = []): Tree {
  const tree = createTreeWithEmptyWorkspace();
  for (const file of [...EditedFiles, ...extra])
    tree.write(file, readFileSync(path.join(root, file), 'utf8'));
  return tree;
}

export const readWorkspaceFile = (file: string) => readFileSync(path.join(root, file), 'utf8');

export function text(tree: Tree, file: string): string {
  const content = tree.read(file, 'utf-8');
  if (content === null) throw new Error(`${file} was not written`);
  return content;
}
