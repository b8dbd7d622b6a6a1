import type { Tree } from '@nx/devkit';

/**
 * Generators edit shared files (the topology, a service's module) only at marker comments such as
 * `// @orderly/tools:queues`: a plain text insertion is predictable, keeps the files' formatting and
 * comments, and a reader sees where generated entries go. Removing a marker opts the file out.
 */
export const marker = (key: string) => `@orderly/tools:${key}`;

/** Inserts `text` (whole lines) right above the line holding the marker; throws naming file and marker if absent. */
export function insertAboveMarker(tree: Tree, file: string, key: string, text: string): void {
  const content = read(tree, file);
  const lines = content.split('\n');
  const at = lines.findIndex((line) => line.includes(`// ${marker(key)}`) && markerKeyOf(line) === key);
  if (at < 0)
    throw new Error(`${file} has no "// ${marker(key)}" line: restore it where generated entries go`);
  lines.splice(at, 0, ...text.replace(/\n$/, '').split('\n'));
  tree.write(file, lines.join('\n'));
}

/** True when the file exists and holds the marker. */
export function hasMarker(tree: Tree, file: string, key: string): boolean {
  return (
    tree.exists(file) &&
    read(tree, file)
      .split('\n')
      .some((line) => markerKeyOf(line) === key)
  );
}

/** Adds an import line after the file's last top-level import, unless the file already has it. */
export function addImport(tree: Tree, file: string, importLine: string): void {
  const content = read(tree, file);
  if (content.includes(importLine)) return;
  const lines = content.split('\n');
  let last = -1;
  lines.forEach((line, i) => {
    if (/^import\s/.test(line)) last = i;
    // a multi-line import ends at its `from '...';` line
    if (
      last >= 0 &&
      i > last &&
      /^\}\s*from\s/.test(line) &&
      lines.slice(last, i).every((l) => !/;\s*$/.test(l))
    )
      last = i;
  });
  lines.splice(last + 1, 0, importLine);
  tree.write(file, lines.join('\n'));
}

export function read(tree: Tree, file: string): string {
  const content = tree.read(file, 'utf-8');
  if (content === null) throw new Error(`${file} does not exist`);
  return content;
}

function markerKeyOf(line: string): string | undefined {
  const match = /\/\/ @orderly\/tools:(\S+)/.exec(line);
  return match?.[1];
}
