import path from 'node:path';
import { Services } from '@orderly/contracts';
import { prepareEnvFile } from './compose-env-file';
import {
  type ComposeDemoTarget,
  composeDemoTarget,
  settleTimeoutFor,
  traceExploreUrl,
} from './compose-demo-target';
import { ComposeStack } from './compose-stack';
import { DemoRefusedError } from './demo-refused.error';
import { placeSampleOrdersAndReport } from './sample-report';

// `npm run demo -- --compose`: the same sample orders and summary as the local demo, on the Docker
// Compose stack (docker-compose.yml), where the traces go to Tempo and the metrics to Prometheus, so
// "where to look next" is Grafana. Without --once the stack keeps running after the demo ends.

export const NoComposeMessage =
  'docker compose not found; `npm run demo` without --compose runs everything on this machine';

export interface ComposeDemoOptions {
  /** The repository root: docker-compose.yml, .env.example and .env are there. */
  root: string;
  /** CI mode: `docker compose down` at the end (volumes kept). */
  once: boolean;
  say: (line: string) => void;
  /** The `docker` executable (on the PATH by default). */
  docker?: string;
}

/** Runs the compose demo; answers the exit code (0 only if every sample order reached its expected outcome). */
export async function runComposeDemo(options: ComposeDemoOptions): Promise<number> {
  const { root, once, say } = options;
  say(
    'Orderly demo on Docker Compose — the services with Grafana, Prometheus, Tempo and Mailpit (docker-compose.yml)',
  );
  const stack = new ComposeStack({ root, docker: options.docker });
  if (!(await stack.available())) throw new DemoRefusedError(NoComposeMessage);

  const env = prepareEnvFile(root);
  if (env.status === 'created') {
    say(
      `no .env yet: wrote ${path.relative(root, env.path)} from .env.example with a new random value for each of its ` +
        `${env.generated.length} secrets (${env.generated.join(', ')}), readable by you only. Keep it: ` +
        'PostgreSQL keeps the passwords its roles were created with in its volume.',
    );
  } else {
    say(`using the settings in ${path.relative(root, env.path)}`);
  }
  const target = composeDemoTarget(await stack.config());

  const signals = ['SIGINT', 'SIGTERM'] as const;
  let onSignal: ((signal: NodeJS.Signals) => void) | undefined;
  // `on`, not `once`: Ctrl-C can arrive twice (from the terminal and forwarded by run-ts.mjs), and a second
  // one must not kill the demo while it stops the stack.
  const interrupted = new Promise<NodeJS.Signals>((resolve) => {
    onSignal = resolve;
    for (const signal of signals) process.on(signal, resolve);
  });
  try {
    let outcome: number;
    try {
      outcome = await Promise.race([
        runOnStack(stack, target, say),
        interrupted.then(async (signal) => {
          // Ctrl-C reaches `docker compose` too (same terminal); a SIGTERM is passed on.
          await stack.interrupt(signal);
          return 130;
        }),
      ]);
    } catch (error) {
      if (once) {
        say('failed; --once: docker compose down (volumes kept)…');
        await stack
          .down()
          .catch((downError: unknown) => say(`docker compose down failed too: ${String(downError)}`));
      } else {
        say(
          'failed: `docker compose ps` and `docker compose logs <service>` show why; `docker compose down` stops the stack.',
        );
      }
      throw error;
    }
    if (once) {
      say('--once: docker compose down (the volumes, and so the data, are kept)…');
      await stack.down();
      say('the stack is stopped.');
    } else if (outcome === 130) {
      say(
        'interrupted: what already started keeps running; `docker compose ps` shows it, `docker compose down` stops it.',
      );
    } else {
      say('the stack keeps running: `docker compose down` stops it (add -v to delete its data too).');
    }
    return outcome;
  } finally {
    if (onSignal) for (const signal of signals) process.off(signal, onSignal);
  }
}

async function runOnStack(
  stack: ComposeStack,
  target: ComposeDemoTarget,
  say: (line: string) => void,
): Promise<number> {
  say(
    'docker compose up --detach --build --wait: builds the images (the first time: several minutes), then ' +
      'waits until every service is healthy (migrations applied, inventory seeded)…',
  );
  await stack.up();
  const { saga } = target;
  say(
    `the stack is up. order-service's saga deadlines: ${saga.stepTimeoutMs} ms × ${saga.stepMaxAttempts} attempts per ` +
      `step (the payment timeout sample ends after about ${Math.round((saga.stepTimeoutMs * saga.stepMaxAttempts) / 1000)} s)`,
  );
  const results = await placeSampleOrdersAndReport({
    orderUrl: target.serviceUrls[Services.order],
    inventoryUrl: target.serviceUrls[Services.inventory],
    settleTimeoutMs: settleTimeoutFor(saga),
    progress: say,
    traceUrl: (traceId) => traceExploreUrl(target.grafanaUrl, traceId),
  });
  process.stdout.write(`\n${whereToLookOnCompose(target).join('\n')}\n\n`);
  return results.some((r) => r.problem) ? 1 : 0;
}

/** "Where to look next" on the compose stack, with the URLs the compose model publishes. */
export function whereToLookOnCompose(target: ComposeDemoTarget): string[] {
  const order = target.serviceUrls[Services.order];
  const metrics = Object.values(target.serviceUrls).map((url) => `${url}/metrics`);
  return [
    'Where to look next:',
    `  Grafana (dashboards)  ${target.grafanaUrl}  (Dashboards → Orderly; anonymous viewer, admin: user ${target.grafanaAdmin.user}, password ${target.grafanaAdmin.password})`,
    `  traces (Tempo)        each order's "trace in Grafana" link above, or Grafana → Explore → Tempo`,
    `  Prometheus (alerts)   ${target.prometheusUrl}/alerts`,
    `  RabbitMQ management   ${target.rabbitmqManagementUrl}/  (user ${target.rabbitmqAdmin.user}, password ${target.rabbitmqAdmin.password})`,
    `  e-mails (Mailpit)     ${target.mailpitUrl}`,
    `  API docs (OpenAPI)    ${order}/docs`,
    `  one order + timeline  curl ${order}/orders/<order id>`,
    `  sagas (operators)     curl -H 'Authorization: Bearer ${target.adminToken}' ${order}/admin/sagas`,
    `  products and stock    curl ${target.serviceUrls[Services.inventory]}/products`,
    `  metrics (Prometheus)  ${metrics.join('\n                        ')}`,
    `  service logs (JSON)   docker compose logs -f ${Object.values(Services).join(' ')}`,
    '  (every password and token above is in .env)',
  ];
}
