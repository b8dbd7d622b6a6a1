import { readFileSync } from 'node:fs';

/** One instruction of a Dockerfile, continuation lines joined. */
export interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

/** One build stage: its base image (ARGs resolved) and its instructions. */
export interface Stage {
  name?: string;
  from: string;
  instructions: Instruction[];
}

export interface Dockerfile {
  path: string;
  stages: Stage[];
}

export function readDockerfile(file: string, buildArgs: Record<string, string> = {}): Dockerfile {
  return parseDockerfile(readFileSync(file, 'utf8'), file, buildArgs);
}

export function parseDockerfile(
  text: string,
  file = 'Dockerfile',
  buildArgs: Record<string, string> = {},
): Dockerfile {
  const instructions: Instruction[] = [];
  let pending = '';
  let startLine = 0;
  text.split(/\r?\n/).forEach((raw, index) => {
    const trimmed = raw.trim();
    if (!pending && (trimmed === '' || trimmed.startsWith('#'))) return;
    if (pending && trimmed.startsWith('#')) return; // comments inside a continued instruction
    if (!pending) startLine = index + 1;
    if (trimmed.endsWith('\\')) {
      pending += trimmed.slice(0, -1) + ' ';
      return;
    }
    const whole = (pending + trimmed).trim();
    pending = '';
    const [keyword = ''] = whole.split(/\s+/);
    instructions.push({
      keyword: keyword.toUpperCase(),
      args: whole.slice(keyword.length).trim(),
      line: startLine,
    });
  });

  // ARGs before the first FROM are the only ones FROM can use.
  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const [image = '', as, name] = instruction.args.replace(/--platform=\S+\s+/, '').split(/\s+/);
      const from = image.replace(
        /\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g,
        (_m, arg: string) => buildArgs[arg] ?? globalArgs[arg] ?? '',
      );
      stages.push({ from, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
    } else if (stages.length === 0) {
      if (instruction.keyword === 'ARG') {
        const [key = '', ...value] = instruction.args.split('=');
        globalArgs[key] = value.join('=');
      }
    } else {
      (stages[stages.length - 1] as Stage).instructions.push(instruction);
    }
  }
  return { path: file, stages };
}

/** The stage the image is made of (the last one, as `docker build` builds without --target). */
export function finalStage(dockerfile: Dockerfile): Stage {
  const stage = dockerfile.stages[dockerfile.stages.length - 1];
  if (!stage) throw new Error(`${dockerfile.path}: no FROM`);
  return stage;
}

/** The base image of a stage, following `FROM <earlier stage>` to a real image. */
export function baseImageOf(dockerfile: Dockerfile, stage: Stage): string {
  let current: Stage | undefined = stage;
  const seen = new Set<Stage>();
  while (current && !seen.has(current)) {
    seen.add(current);
    const parent: Stage | undefined = dockerfile.stages.find((s) => s.name && s.name === current?.from);
    if (!parent) return current.from;
    current = parent;
  }
  return stage.from;
}

/** Sources of the COPY/ADD instructions that read the build context (not `--from` another stage). */
export function contextSources(dockerfile: Dockerfile): Array<{ source: string; line: number }> {
  const sources: Array<{ source: string; line: number }> = [];
  for (const stage of dockerfile.stages) {
    for (const { keyword, args, line } of stage.instructions) {
      if (keyword !== 'COPY' && keyword !== 'ADD') continue;
      const words = args.split(/\s+/);
      if (words.some((w) => w.startsWith('--from='))) continue;
      const paths = words.filter((w) => !w.startsWith('--'));
      for (const source of paths.slice(0, -1)) {
        if (!/^https?:\/\//.test(source)) sources.push({ source, line });
      }
    }
  }
  return sources;
}
