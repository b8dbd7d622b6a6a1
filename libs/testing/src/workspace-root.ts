import { existsSync } from 'node:fs';
import path from 'node:path';

/** The repository root (the folder with nx.json), wherever a test or script runs from. */
export function workspaceRoot(from: string = __dirname): string {
  let dir = from;
  while (!existsSync(path.join(dir, 'nx.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no nx.json above ${from}`);
    dir = parent;
  }
  return dir;
}
