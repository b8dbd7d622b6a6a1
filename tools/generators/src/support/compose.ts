import type { Tree } from '@nx/devkit';
import { read } from './markers';
import type { ServiceNames } from './names';

export const ComposeFiles = {
  compose: 'docker-compose.yml',
  databases: 'tools/docker/postgres/create-service-databases.sh',
  env: '.env.example',
} as const;

const required = (variable: string) => `\${${variable}:?set it in .env (see .env.example)}`;

/** One more than the highest service port of the compose stack (3005 after 3001–3004). */
export function nextServicePort(tree: Tree): number {
  const ports = [...read(tree, ComposeFiles.compose).matchAll(/^\s+PORT: '(\d+)'$/gm)].map((m) =>
    Number(m[1]),
  );
  return ports.length === 0 ? 3001 : Math.max(...ports) + 1;
}

/**
 * The compose stack gets the service (built from the shared service Dockerfile), its broker password
 * and its database password. The file is edited as text, next to the entries of the same kind, so that
 * its comments and anchors stay as written (a YAML round trip would reflow them).
 */
export function addToCompose(tree: Tree, names: ServiceNames, port: number): void {
  let text = read(tree, ComposeFiles.compose);
  const broker = `BROKER_PASSWORD_${names.envPrefix}`;
  const db = `${names.envPrefix}_DB_PASSWORD`;
  text = insertAfterLast(
    text,
    /^ {6}BROKER_PASSWORD_\w+_SERVICE: .*$/gm,
    `      ${broker}: ${required(broker)}`,
    'broker passwords',
  );
  text = insertAfterLast(
    text,
    /^ {6}\w+_SERVICE_DB_PASSWORD: .*$/gm,
    `      ${db}: ${required(db)}`,
    'database passwords',
  );
  const block = [
    `  ${names.service}:`,
    `    <<: *service`,
    `    build:`,
    `      context: .`,
    `      dockerfile: tools/docker/service.Dockerfile`,
    `      args:`,
    `        SERVICE: ${names.service}`,
    `        PORT: '${port}'`,
    `    image: orderly/${names.service}:local`,
    `    environment:`,
    `      <<: *telemetry`,
    `      PORT: '${port}'`,
    `      DATABASE_URL: postgresql://${names.database}:${required(db)}@postgres:5432/${names.database}`,
    `      AMQP_URL: amqp://${names.service}:${required(broker)}@broker:5672/orderly`,
    `    ports:`,
    `      - 127.0.0.1:${port}:${port}`,
    ``,
  ].join('\n');
  const observability = text.indexOf('  # ---- observability');
  if (observability < 0)
    throw new Error(
      `${ComposeFiles.compose}: no "# ---- observability" section to add ${names.service} above`,
    );
  text = text.slice(0, observability) + block + '\n' + text.slice(observability);
  tree.write(ComposeFiles.compose, text);
}

/** The PostgreSQL init script creates one database and role per service it lists. */
export function addToDatabaseScript(tree: Tree, names: ServiceNames): void {
  const text = read(tree, ComposeFiles.databases);
  const loop = /^for service in ([a-z0-9 _-]+); do$/m;
  const match = loop.exec(text);
  if (!match) throw new Error(`${ComposeFiles.databases}: no "for service in …; do" line`);
  const services = match[1].split(' ');
  const context = names.database.slice(0, -'_service'.length);
  if (services.includes(context)) return;
  let updated = text.replace(loop, `for service in ${[...services, context].join(' ')}; do`);
  // The header lists the variables the script requires.
  updated = updated.replace(
    /^(#\s+\w+_SERVICE_DB_PASSWORD)(\s+required)/m,
    `$1, ${names.envPrefix}_DB_PASSWORD$2`,
  );
  tree.write(ComposeFiles.databases, updated);
}

/** .env.example documents every secret compose requires. */
export function addToEnvExample(tree: Tree, names: ServiceNames): void {
  let text = read(tree, ComposeFiles.env);
  text = insertAfterLast(
    text,
    /^BROKER_PASSWORD_\w+_SERVICE=.*$/gm,
    `BROKER_PASSWORD_${names.envPrefix}=change-me-broker-${names.context}`,
    'broker passwords',
  );
  text = insertAfterLast(
    text,
    /^\w+_SERVICE_DB_PASSWORD=.*$/gm,
    `${names.envPrefix}_DB_PASSWORD=change-me-db-${names.context}`,
    'database passwords',
  );
  tree.write(ComposeFiles.env, text);
}

function insertAfterLast(text: string, pattern: RegExp, line: string, what: string): string {
  const matches = [...text.matchAll(pattern)];
  const last = matches.at(-1);
  if (!last || last.index === undefined) throw new Error(`found no ${what} to add "${line.trim()}" next to`);
  const end = last.index + last[0].length;
  return `${text.slice(0, end)}\n${line}${text.slice(end)}`;
}
