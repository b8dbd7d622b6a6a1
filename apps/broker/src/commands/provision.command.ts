import { Topology } from '@orderly/contracts';
import { provisionTopology, type ProvisionResult } from '../provision/provision';
import { passwordEnvOf, resolvePasswords } from '../provision/service-passwords';
import { ExitCode, parseOptions, type Command, type CommandOutput } from './command';
import { managementTarget } from './management-target';

const serviceNames = Topology.services.map((service) => service.name);

export const provisionCommand: Command = {
  name: 'provision',
  summary: 'apply the topology and the service users to a broker (idempotent)',
  help: `Usage: npm run broker -- provision [--url <management url>] [--passwords-file <json>] [--generate-passwords <json>]
                                  [--vhost <name>] [--user-prefix <prefix>]

Creates the vhost, exchanges, queues (with their arguments), bindings and policies that are missing,
and sets one user per service with its password and least-privilege permissions. Running it again
changes nothing. A queue or exchange that exists with other arguments stops it before any change,
with the list of differences. It never deletes anything.

Options:
  --url <url>              management API, e.g. http://admin:secret@broker:15672
                           (default: the local node of \`start\`, http://127.0.0.1:15672 or BROKER_MANAGEMENT_PORT);
                           without credentials in it: RABBITMQ_ADMIN_USER / RABBITMQ_ADMIN_PASSWORD
  --passwords-file <json>  { "order-service": "<password>", ... }; wins over the environment
  --generate-passwords <json>
                           services without a password get a random one, kept in this file (mode 0600;
                           the same ones again next time)
  --vhost <name>           provision another vhost than "${Topology.vhost}"
  --user-prefix <prefix>   user names "<prefix><service>", for several environments on one broker

Passwords are read from ${serviceNames.map(passwordEnvOf).join(', ')}.`,

  async run(argv, output) {
    const options = parseOptions(argv, {
      url: { type: 'string' },
      'passwords-file': { type: 'string' },
      'generate-passwords': { type: 'string' },
      vhost: { type: 'string' },
      'user-prefix': { type: 'string', default: '' },
    });
    const target = managementTarget(options.url, process.env);
    const passwords = resolvePasswords(serviceNames, {
      env: process.env,
      file: options['passwords-file'],
      generated: options['generate-passwords'],
    });
    const result = await provisionTopology({
      managementUrl: target.url,
      credentials: target.credentials,
      vhost: options.vhost,
      userPrefix: options['user-prefix'],
      passwords,
    });
    printProvisionResult(result, target.url, output);
    return ExitCode.ok;
  },
};

export function printProvisionResult(result: ProvisionResult, url: string, output: CommandOutput): void {
  const { created } = result;
  output.out(
    `provisioned vhost "${result.vhost}"${created.vhost ? ' (new)' : ''} on RabbitMQ ${result.brokerVersion} at ${url}`,
  );
  output.out(`  new exchanges: ${created.exchanges.length > 0 ? created.exchanges.join(', ') : 'none'}`);
  output.out(`  new queues:    ${created.queues.length > 0 ? created.queues.join(', ') : 'none'}`);
  output.out(`  new bindings:  ${created.bindings}`);
  output.out(`  policies set:  ${result.policies.join(', ')}`);
  output.out(`  users set:     ${result.users.join(', ')} (password, permissions)`);
  for (const binding of result.undeclaredBindings) {
    output.err(
      `warning: binding ${binding.source} → ${binding.destination} (key "${binding.routingKey}") is not in the topology; left in place`,
    );
  }
}
