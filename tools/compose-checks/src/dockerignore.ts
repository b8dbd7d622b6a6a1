import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The `.dockerignore` of a build context, with Docker's rules: patterns relative to the context, `*`
 * within one path segment, `**` across segments, a pattern also excludes what is below a matched folder,
 * `!` re-includes, and the last matching pattern decides.
 */
export class DockerIgnore {
  private constructor(private readonly rules: Array<{ negate: boolean; pattern: RegExp }>) {}

  static forContext(contextDir: string): DockerIgnore {
    const file = path.join(contextDir, '.dockerignore');
    return DockerIgnore.parse(existsSync(file) ? readFileSync(file, 'utf8') : '');
  }

  static parse(text: string): DockerIgnore {
    const rules = text
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'))
      .map((line) => {
        const negate = line.startsWith('!');
        const pattern = path.posix.normalize((negate ? line.slice(1) : line).trim()).replace(/^\/+/, '');
        return { negate, pattern: toRegExp(pattern) };
      });
    return new DockerIgnore(rules);
  }

  /** Whether a path of the context (relative, with `/`) is left out of the build context. */
  ignores(relativePath: string): boolean {
    const normalised = path.posix.normalize(relativePath).replace(/^\/+/, '');
    let ignored = false;
    for (const rule of this.rules) {
      if (rule.pattern.test(normalised)) ignored = !rule.negate;
    }
    return ignored;
  }
}

function toRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i] as string;
    if (char === '*' && pattern[i + 1] === '*') {
      // "**/" matches any number of folders, including none; a trailing "**" matches everything below.
      if (pattern[i + 2] === '/') {
        source += '(?:.*/)?';
        i += 2;
      } else {
        source += '.*';
        i += 1;
      }
    } else if (char === '*') {
      source += '[^/]*';
    } else if (char === '?') {
      source += '[^/]';
    } else {
      source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
  }
  // A matched folder takes its whole content with it.
  return new RegExp(`^${source}(?:/.*)?$`);
}
