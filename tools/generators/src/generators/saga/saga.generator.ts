import path from 'node:path';
import { generateFiles, names, type Tree } from '@nx/devkit';
import { read } from '../../support/markers';
import { ContractsIndex } from '../message/message.generator';

export interface SagaGeneratorOptions {
  service: string;
  name: string;
  /** `Command:Reply` or `Command:Reply:Compensation:CompensationDone`, comma-separated. */
  steps: string;
}

export interface SagaStepSpec {
  label: string;
  command: string;
  reply: string;
  compensation?: string;
  compensationDone?: string;
}

/**
 * `nx g @orderly/tools:saga <service> <name> --steps …`: a saga definition (libs/saga `defineSaga`) in
 * the orchestrating service, one step per command with its reply and optional compensation, and a
 * test that walks it through the pure engine. The contracts must exist (`@orderly/tools:message`).
 */
export function sagaGenerator(tree: Tree, options: SagaGeneratorOptions): void {
  if (!tree.exists(`apps/${options.service}/src`)) throw new Error(`apps/${options.service} does not exist`);
  if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(options.name))
    throw new Error(`saga name "${options.name}" must be kebab-case, e.g. fulfil-order`);
  const steps = parseSteps(options.steps);
  const exported = exportedContracts(read(tree, ContractsIndex));
  const missing = steps
    .flatMap((s) => [s.command, s.reply, s.compensation, s.compensationDone])
    .filter((c): c is string => !!c && !exported.has(c));
  if (missing.length > 0) {
    throw new Error(
      `@orderly/contracts exports no ${[...new Set(missing)].join(', ')}: generate them first (nx g @orderly/tools:message)`,
    );
  }
  const n = names(options.name);
  const folder = `apps/${options.service}/src`;
  if (tree.exists(`${folder}/${n.fileName}/${n.fileName}.saga.ts`))
    throw new Error(`${folder}/${n.fileName}/${n.fileName}.saga.ts already exists`);
  // The test's compensation path: the last step that can be undone stays silent, and every step up to
  // it with a compensation is undone, latest first.
  const lastCompensable = steps.map((s) => !!s.compensation).lastIndexOf(true);
  const compensable =
    lastCompensable < 0
      ? undefined
      : {
          step: steps[lastCompensable],
          before: steps.slice(0, lastCompensable),
          undone: steps
            .slice(0, lastCompensable + 1)
            .filter((s) => s.compensation)
            .reverse(),
        };
  const imports = [
    ...new Set(
      steps
        .flatMap((s) => [s.command, s.reply, s.compensation, s.compensationDone])
        .filter((c): c is string => !!c),
    ),
  ].sort();
  generateFiles(tree, path.join(__dirname, 'files'), folder, {
    name: options.name,
    fileName: n.fileName,
    className: n.className,
    steps,
    imports,
    compensable,
    tmpl: '',
  });
}

export function parseSteps(spec: string): SagaStepSpec[] {
  const steps = spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry): SagaStepSpec => {
      const parts = entry.split(':').map((p) => p.trim());
      if (!(parts.length === 2 || parts.length === 4) || parts.some((p) => !/^[A-Z][A-Za-z0-9]*$/.test(p))) {
        throw new Error(
          `step "${entry}" must be Command:Reply or Command:Reply:Compensation:CompensationDone (contract names)`,
        );
      }
      const [command, reply, compensation, compensationDone] = parts;
      return { label: names(command).fileName, command, reply, compensation, compensationDone };
    });
  if (steps.length === 0) throw new Error('a saga needs at least one step (--steps ShipOrder:OrderShipped)');
  const commands = steps.map((s) => s.command);
  const twice = commands.find((c, i) => commands.indexOf(c) !== i);
  // Steps are named after their command, and a saga's step names are unique (defineSaga checks it).
  if (twice) throw new Error(`${twice} is the command of two steps: a saga sends each command from one step`);
  return steps;
}

/** Names exported by libs/contracts/src/index.ts (`export { A, B } from …`). */
function exportedContracts(index: string): Set<string> {
  const exported = new Set<string>();
  for (const match of index.matchAll(/export \{([^}]*)\} from/g)) {
    for (const name of match[1].split(',')) exported.add(name.trim().replace(/^type\s+/, ''));
  }
  return exported;
}

export default sagaGenerator;
