import path from 'node:path';
import { RabbitMqNode } from '@orderly/local-servers';
import { Services, Topology } from '@orderly/contracts';
import { LocalNodeDefaults, LocalNodeEnv, workspaceRoot } from '../broker-settings';
import { localNode } from '../node/local-node';
import { provisionTopology } from '../provision/provision';
import { passwordEnvOf, resolvePasswords, usesGeneratedPasswords } from '../provision/service-passwords';
import { ExitCode, parseOptions, redactUrl, type Command } from './command';
import {
  LocalNodeFlags,
  LocalNodeFlagsHelp,
  localNodeSettings,
  PortFlags,
  PortFlagsHelp,
} from './local-node-options';
import { printProvisionResult } from './provision.command';

const serviceNames = Topology.services.map((service) => service.name);

/** Where `start` keeps the service users' generated passwords, in the node's folder. */
const ServicePasswordsFile = 'service-passwords.json';

export const startCommand: Command = {
  name: 'start',
  summary: 'run a local RabbitMQ node (.local/broker) with the topology provisioned',
  help: `Usage: npm run broker -- start [--passwords-file <json>] [port flags] [--dir <path>]

Starts a project-owned RabbitMQ node from this machine's rabbitmq-server (no system service) with
apps/broker/rabbitmq/rabbitmq.conf, listening on 127.0.0.1 only. It keeps running after this command
returns; \`npm run broker -- stop\` stops it. Its data stays in its folder between runs.

Once the management API answers, the topology is provisioned (see \`provision --help\`), one user per
service, with passwords from BROKER_PASSWORD_<SERVICE> (e.g. ${passwordEnvOf(Services.order)}) or
--passwords-file, else generated ones kept in <node folder>/${ServicePasswordsFile} (mode 0600; the same
ones on the next start). Running \`start\` again while the node runs only provisions again.

The administrator (management UI) is ${LocalNodeEnv.adminUser} / ${LocalNodeEnv.adminPassword}, by default
${LocalNodeDefaults.adminUser} with a password generated on the first start and kept in
${path.join(LocalNodeDefaults.baseDir, LocalNodeDefaults.adminPasswordFile)}. It is created on the node's first start: to change it
later, \`stop --purge\` first.

Options:
  --passwords-file <json>   { "order-service": "<password>", ... }
${PortFlagsHelp}
${LocalNodeFlagsHelp}`,

  async run(argv, output) {
    const options = parseOptions(argv, {
      ...PortFlags,
      ...LocalNodeFlags,
      'passwords-file': { type: 'string' },
    });
    const settings = localNodeSettings(options, process.env);
    const generatedFile = path.join(settings.baseDir, ServicePasswordsFile);
    const passwords = resolvePasswords(serviceNames, {
      env: process.env,
      file: options['passwords-file'],
      generated: generatedFile,
    });
    const shownDir = path.relative(workspaceRoot, settings.baseDir) || settings.baseDir;

    const existing = await RabbitMqNode.status(settings.baseDir);
    let urls: { amqpUrl: string; managementUrl: string; prometheusUrl: string };
    if (existing.running) {
      const { amqpUrl, managementUrl, prometheusUrl } = existing;
      if (!existing.ready || !amqpUrl || !managementUrl || !prometheusUrl) {
        output.err(
          `error: a node runs from ${shownDir} (pid ${existing.pid}) but does not answer; see \`npm run broker -- status\``,
        );
        return ExitCode.failure;
      }
      output.err(`node ${existing.nodeName} already runs from ${shownDir}; provisioning it again`);
      urls = { amqpUrl, managementUrl, prometheusUrl };
    } else {
      output.err(
        `starting RabbitMQ node ${LocalNodeDefaults.nodeName} in ${shownDir} (a first boot takes 15–25 s)…`,
      );
      const node = localNode(settings);
      await node.start();
      urls = { amqpUrl: node.amqpUrl, managementUrl: node.managementUrl, prometheusUrl: node.prometheusUrl };
    }

    const result = await provisionTopology({ managementUrl: urls.managementUrl, passwords });
    printProvisionResult(result, redactUrl(urls.managementUrl), output);

    const amqp = new URL(urls.amqpUrl);
    amqp.username = '';
    amqp.password = '';
    amqp.pathname = `/${encodeURIComponent(result.vhost)}`;
    const management = new URL(urls.managementUrl);
    const generatedPasswords = usesGeneratedPasswords(passwords, generatedFile);
    const generatedAdmin = !process.env[LocalNodeEnv.adminPassword];
    management.username = '';
    management.password = '';
    output.out('');
    output.out(
      `RabbitMQ ${result.brokerVersion} is running (node ${existing.nodeName ?? LocalNodeDefaults.nodeName}, data in ${shownDir})`,
    );
    output.out(
      `  AMQP:          ${amqp.toString()}  ` +
        (generatedPasswords
          ? `(user <service>, passwords generated in ${path.relative(workspaceRoot, generatedFile) || generatedFile})`
          : '(user <service>, the password you gave)'),
    );
    output.out(
      `  management UI: ${management.toString()}  ` +
        (generatedAdmin
          ? `(${LocalNodeDefaults.adminUser}, password in ${path.join(LocalNodeDefaults.baseDir, LocalNodeDefaults.adminPasswordFile)})`
          : `(${LocalNodeEnv.adminUser} / ${LocalNodeEnv.adminPassword})`),
    );
    output.out(
      `  Prometheus:    ${urls.prometheusUrl}/metrics  (per queue: ${urls.prometheusUrl}/metrics/per-object)`,
    );
    output.out(
      `Stop it with:  npm run broker -- stop${settings.baseDir === LocalNodeDefaults.baseDir ? '' : ` --dir ${shownDir}`}`,
    );
    return ExitCode.ok;
  },
};
