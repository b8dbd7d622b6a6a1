import path from 'node:path';
import { generateFiles, type GeneratorCallback, logger, names as nxNames, type Tree } from '@nx/devkit';
import { addImport, hasMarker, insertAboveMarker, read } from '../../support/markers';
import { messageNames, serviceNames } from '../../support/names';
import { afterWriting, regenerateDefinitions } from '../../support/post-steps';
import { messagesMarkerOf, TopologyFiles } from '../../support/topology';

export interface MessageGeneratorOptions {
  context: string;
  name: string;
  kind: 'event' | 'command' | 'reply';
  /** The service that handles it; for a command, `<context>-service` by default. */
  service?: string;
  /** reply: the context whose `<context>.replies` exchange carries it. */
  replyTo?: string;
  /** Skip regenerating definitions.json (unit tests: the tree is in memory). */
  skipPostSteps?: boolean;
}

export const ContractsIndex = 'libs/contracts/src/index.ts';
const HandlersMarker = 'handlers';

/**
 * `nx g @orderly/tools:message <context> <Name> --kind …`: the contract (name, version, schema) in
 * libs/contracts/src/<context>/<context>.<kind>s.ts, exported; for a handled message, its binding in
 * the topology and a handler stub with its test in the handling service.
 */
export function messageGenerator(tree: Tree, options: MessageGeneratorOptions): GeneratorCallback {
  const context = options.context;
  if (!/^[a-z][a-z0-9-]*$/.test(context))
    throw new Error(`context "${context}" must be kebab-case, e.g. shipping`);
  const message = messageNames(context, options.name);
  const contextKey = nxNames(context).propertyName;
  const exchangeKey =
    options.kind === 'reply'
      ? `${nxNames(options.replyTo ?? 'order').propertyName}Replies`
      : `${contextKey}${options.kind === 'event' ? 'Events' : 'Commands'}`;
  if (!new RegExp(`^\\s+${exchangeKey}: '`, 'm').test(read(tree, TopologyFiles.names))) {
    throw new Error(
      `${TopologyFiles.names} declares no Exchanges.${exchangeKey}: generate the ${context}-service first (nx g @orderly/tools:service)`,
    );
  }

  const contractFile = `libs/contracts/src/${context}/${context}.${fileSuffix[options.kind]}.ts`;
  addContract(tree, contractFile, message.constant, message.type, options.kind, exchangeKey);
  exportContract(tree, message.constant, `./${context}/${context}.${fileSuffix[options.kind]}`);

  const handler = options.service ?? (options.kind === 'command' ? `${context}-service` : undefined);
  if (!handler) {
    logger.info(
      `${message.constant} has no handler yet: bind it to a consumer's queue in ${TopologyFiles.topology}`,
    );
    return () => undefined;
  }
  const consumer = serviceNames(handler);
  const queue = `${consumer.service}.commands`;
  if (options.kind === 'command' && hasMarker(tree, TopologyFiles.topology, messagesMarkerOf(queue))) {
    insertAboveMarker(
      tree,
      TopologyFiles.topology,
      messagesMarkerOf(queue),
      `            ${message.constant},`,
    );
    addImport(
      tree,
      TopologyFiles.topology,
      `import { ${message.constant} } from '../${context}/${context}.${fileSuffix[options.kind]}';`,
    );
  } else {
    logger.warn(
      `bind ${message.constant} to a queue of ${consumer.service} in ${TopologyFiles.topology}: the generator only routes commands into a generated service's queue`,
    );
  }
  addHandler(tree, consumer.service, consumer.key, consumer.context, message);
  // The binding changed the topology: the broker's definitions follow it.
  return options.skipPostSteps ? () => undefined : afterWriting(tree, [regenerateDefinitions]);
}

const fileSuffix = { event: 'events', command: 'commands', reply: 'replies' } as const;
const defineFunction = { event: 'defineEvent', command: 'defineCommand', reply: 'defineReply' } as const;

function addContract(
  tree: Tree,
  file: string,
  constant: string,
  type: string,
  kind: MessageGeneratorOptions['kind'],
  exchangeKey: string,
): void {
  const define = defineFunction[kind];
  const declaration = [
    ``,
    `/** ${constant}: say what it means and who ${kind === 'event' ? 'reacts to it' : 'handles it'}. Version 1; a breaking change is a new version. */`,
    `export const ${constant} = ${define}({`,
    `  type: '${type}',`,
    `  version: 1,`,
    `  exchange: Exchanges.${exchangeKey},`,
    `  schema: z.object({ orderId: OrderId }),`,
    `});`,
    ``,
  ].join('\n');
  const imports: Array<[string, string]> = [
    ['z', `import { z } from 'zod';`],
    [define, `import { ${define} } from '../envelope/message-contract';`],
    ['OrderId', `import { OrderId } from '../shared-schemas';`],
    ['Exchanges', `import { Exchanges } from '../topology/names';`],
  ];
  if (!tree.exists(file)) {
    tree.write(file, imports.map(([, line]) => line).join('\n') + '\n' + declaration);
    return;
  }
  const content = read(tree, file);
  if (new RegExp(`export const ${constant}\\b`).test(content))
    throw new Error(`${file} already declares ${constant}`);
  tree.write(file, content.replace(/\n*$/, '\n') + declaration);
  const importLines = content.split('\n').filter((line) => line.startsWith('import '));
  for (const [name, line] of imports) {
    // An existing file may import several names from the same module: leave it alone if the name is there.
    if (!importLines.some((l) => new RegExp(`\\b${name}\\b`).test(l))) addImport(tree, file, line);
  }
}

/** Adds the name to the file's export line in the contracts index, or a new line after the last message export. */
function exportContract(tree: Tree, constant: string, from: string): void {
  const content = read(tree, ContractsIndex);
  const existing = new RegExp(
    `^export \\{ ([^}]*) \\} from '${from.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}';$`,
    'm',
  );
  const match = existing.exec(content);
  if (match) {
    const exported = [...match[1].split(',').map((s) => s.trim()), constant].sort();
    tree.write(
      ContractsIndex,
      content.replace(existing, `export { ${exported.join(', ')} } from '${from}';`),
    );
    return;
  }
  const lines = content.split('\n');
  let last = -1;
  lines.forEach((line, i) => {
    if (/^export \{ [^}]+ \} from '\.\/(?!topology|envelope)[^']+';$/.test(line)) last = i;
  });
  if (last < 0) throw new Error(`${ContractsIndex}: found no message exports to add ${constant} next to`);
  lines.splice(last + 1, 0, `export { ${constant} } from '${from}';`);
  tree.write(ContractsIndex, lines.join('\n'));
}

function addHandler(
  tree: Tree,
  service: string,
  serviceKey: string,
  dbContext: string,
  message: ReturnType<typeof messageNames>,
): void {
  const module = `apps/${service}/src/app.module.ts`;
  if (!hasMarker(tree, module, HandlersMarker)) {
    throw new Error(
      `${module} has no "// @orderly/tools:${HandlersMarker}" line in its controllers: add the handler by hand`,
    );
  }
  const folder = `apps/${service}/src/messages`;
  generateFiles(tree, path.join(__dirname, 'files/handler'), folder, {
    ...message,
    service,
    serviceKey,
    dbContext,
    consumer: `${service}.${message.fileName}`,
    sampleData: '{ orderId: randomUUID() }',
    tmpl: '',
  });
  insertAboveMarker(tree, module, HandlersMarker, `    ${message.constant}Handler,`);
  addImport(
    tree,
    module,
    `import { ${message.constant}Handler } from './messages/${message.fileName}.handler';`,
  );
}

export default messageGenerator;
