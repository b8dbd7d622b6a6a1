// The DLQ commands against a real broker: dead letters are published straight into the DLQs with the
// headers libs/messaging's parker writes, then the commands run as an operator would run them.
import { spawn } from 'node:child_process';
import path from 'node:path';
import amqp, { type ChannelModel, type ConfirmChannel } from 'amqplib';
import {
  Exchanges,
  OrderConfirmed,
  Queues,
  ReleaseStock,
  ReserveStock,
  Topology,
  deadLetterQueueOf,
} from '@orderly/contracts';
import { DeadLetterHeaders } from '@orderly/messaging';
import { createProvisionedVhost, freePort, workspaceRoot, type ProvisionedVhost } from '@orderly/testing';
import { DeadLetterQueueClient } from '../dlq/dead-letter-queue-client';
import { resolveDeadLetterQueue } from '../dlq/dead-letter-queues';
import { runCli } from '../run-cli';
import { ExitCode } from './command';
import { BrokerCommands } from './index';

interface Letter {
  id: string;
  type: string;
  exchange?: string;
  routingKey?: string;
  failedAt?: Date;
  expiration?: string;
}

const inventory = resolveDeadLetterQueue(Queues.inventoryCommands);
const notification = resolveDeadLetterQueue(Queues.notificationOrderEvents);

describe('npm run broker -- dlq', () => {
  let broker: ProvisionedVhost;
  let connection: ChannelModel;
  let channel: ConfirmChannel;

  beforeAll(async () => {
    broker = await createProvisionedVhost('broker-dlq');
    connection = await amqp.connect(broker.amqpUrl);
    channel = await connection.createConfirmChannel();
  });
  afterAll(async () => {
    await connection?.close();
    await broker?.dispose();
  });
  beforeEach(async () => {
    for (const queue of Topology.queues) {
      await channel.purgeQueue(queue.name);
      await channel.purgeQueue(deadLetterQueueOf(queue.name));
    }
  });

  const connectionFlags = () => ['--url', broker.managementUrl, '--vhost', broker.vhost];

  async function cli(...argv: string[]) {
    const lines = { out: [] as string[], err: [] as string[] };
    const code = await runCli(argv, BrokerCommands, {
      out: (line) => lines.out.push(line),
      err: (line) => lines.err.push(line),
    });
    return { code, out: lines.out.join('\n'), err: lines.err.join('\n') };
  }

  /** The CLI as a process of its own (not through run-ts.mjs, whose child would outlive a killed wrapper). */
  function spawnCli(argv: string[]) {
    const root = workspaceRoot();
    return spawn(
      process.execPath,
      ['--require', '@swc-node/register', path.join(root, 'apps/broker/src/cli.ts'), ...argv],
      {
        cwd: root,
        env: { ...process.env, SWC_NODE_PROJECT: path.join(root, 'tsconfig.base.json') },
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
  }

  /** A dead letter as libs/messaging parks it: the envelope, the body, and the failure headers. */
  async function park(dlq: string, letters: Letter[], workExchange: string): Promise<void> {
    for (const letter of letters) {
      channel.sendToQueue(dlq, Buffer.from(JSON.stringify({ orderId: `order-of-${letter.id}` })), {
        messageId: letter.id,
        type: letter.type,
        contentType: 'application/json',
        persistent: true,
        headers: {
          'cloudEvents:specversion': '1.0',
          'cloudEvents:id': letter.id,
          'cloudEvents:type': letter.type,
          [DeadLetterHeaders.errorType]: 'TypeError',
          [DeadLetterHeaders.errorMessage]: `handler failed for ${letter.id}`,
          [DeadLetterHeaders.retryable]: true,
          [DeadLetterHeaders.consumer]: inventory.owner,
          [DeadLetterHeaders.originalExchange]: letter.exchange ?? workExchange,
          [DeadLetterHeaders.originalRoutingKey]: letter.routingKey ?? letter.type,
          [DeadLetterHeaders.attempts]: 5,
          [DeadLetterHeaders.firstFailedAt]: new Date(
            (letter.failedAt ?? new Date()).getTime() - 60_000,
          ).toISOString(),
          [DeadLetterHeaders.failedAt]: (letter.failedAt ?? new Date()).toISOString(),
          ...(letter.expiration ? { [DeadLetterHeaders.originalExpiration]: letter.expiration } : {}),
        },
      });
    }
    await channel.waitForConfirms();
  }

  const reserve = (id: string, extra: Partial<Letter> = {}): Letter => ({
    id,
    type: ReserveStock.type,
    ...extra,
  });
  const release = (id: string): Letter => ({ id, type: ReleaseStock.type });

  /** The ids in a queue, in order, leaving them there (fetched unacked, returned by closing the channel). */
  async function idsIn(queue: string): Promise<string[]> {
    const reader = await connection.createChannel();
    const ids: string[] = [];
    for (;;) {
      const message = await reader.get(queue, { noAck: false });
      if (message === false) break;
      ids.push(String(message.properties.messageId));
    }
    reader.nackAll(true);
    await reader.close();
    // Back in place before the next command looks: the queue applies a requeue asynchronously.
    await untilAtLeast(ids.length, [queue]);
    return ids;
  }

  /** Takes every message out of a work queue. */
  async function drain(queue: string) {
    const reader = await connection.createChannel();
    const messages = [];
    for (;;) {
      const message = await reader.get(queue, { noAck: true });
      if (message === false) break;
      messages.push(message);
    }
    await reader.close();
    return messages;
  }

  /** Waits until the queues hold `count` ready messages together (fails after 30 s rather than hang). */
  async function untilAtLeast(count: number, queues: string[]): Promise<void> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      let ready = 0;
      for (const queue of queues) ready += (await channel.checkQueue(queue)).messageCount;
      if (ready >= count) return;
      if (Date.now() > deadline)
        throw new Error(`${queues.join(' + ')} hold ${ready} messages, expected ${count}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  describe('list', () => {
    it('shows every DLQ of the topology with its depth and the age of its oldest message', async () => {
      const oldest = new Date(Date.now() - 2 * 3_600_000);
      await park(
        inventory.name,
        [reserve('m1', { failedAt: oldest }), reserve('m2')],
        Exchanges.inventoryCommands,
      );

      const { code, out } = await cli('dlq', 'list', ...connectionFlags());

      expect(code).toBe(ExitCode.ok);
      const rows = out.split('\n');
      expect(rows[0]).toMatch(/^dead-letter queue\s+messages\s+oldest\s+oldest failed at$/);
      const row = rows.find((line) => line.startsWith(`${inventory.name} `));
      expect(row?.split(/\s{2,}/)).toEqual([
        inventory.name,
        '2',
        expect.stringMatching(/^2h \d+m$/),
        oldest.toISOString(),
      ]);
      for (const queue of Topology.queues.filter((q) => q.name !== inventory.workQueue)) {
        expect(
          rows.find((line) => line.startsWith(`${deadLetterQueueOf(queue.name)} `))?.split(/\s{2,}/),
        ).toEqual([deadLetterQueueOf(queue.name), '0', '-', '-']);
      }
      // Reading the head message's age left it in place.
      expect(await idsIn(inventory.name)).toEqual(['m1', 'm2']);
    });
  });

  describe('peek', () => {
    it('shows the failure headers and the body, and leaves the messages in the DLQ in their order', async () => {
      await park(
        inventory.name,
        [reserve('m1', { expiration: '60000' }), release('m2'), reserve('m3')],
        Exchanges.inventoryCommands,
      );

      const { code, out } = await cli(
        'dlq',
        'peek',
        inventory.workQueue,
        '--limit',
        '2',
        ...connectionFlags(),
      );

      expect(code).toBe(ExitCode.ok);
      expect(out).toContain(`${inventory.name}: 3 message(s), showing the first 2`);
      expect(out).toContain(`#1  ${ReserveStock.type}  id m1`);
      expect(out).toContain(`#2  ${ReleaseStock.type}  id m2`);
      expect(out).not.toContain('id m3');
      expect(out).toContain('  attempts:       5');
      expect(out).toContain('  error:          TypeError: handler failed for m1 (retryable)');
      expect(out).toContain(
        `  original:       exchange "${Exchanges.inventoryCommands}", routing key "${ReserveStock.type}"`,
      );
      expect(out).toMatch(/ {2}first failure: {2}\d{4}-\d\d-\d\dT.* \(1m \ds ago\)/);
      expect(out).toContain(`  consumer:       ${inventory.owner}`);
      expect(out).toContain('    cloudEvents:id: m1');
      expect(out).toContain('      "orderId": "order-of-m1"');
      expect(await idsIn(inventory.name)).toEqual(['m1', 'm2', 'm3']);
    });
  });

  describe('replay', () => {
    it('republishes the messages of one type to their work queue without failure headers, the rest stay', async () => {
      await park(
        inventory.name,
        [reserve('m1', { expiration: '60000' }), release('m2'), reserve('m3'), release('m4')],
        Exchanges.inventoryCommands,
      );

      const { code, out } = await cli(
        'dlq',
        'replay',
        inventory.name,
        '--type',
        ReserveStock.type,
        ...connectionFlags(),
      );

      expect(code).toBe(ExitCode.ok);
      expect(out).toContain('replayed 2, failed 0 (kept), not selected 2 (kept); looked at 4 of the 4');
      const arrived = await drain(inventory.workQueue);
      expect(arrived.map((m) => m.properties.messageId)).toEqual(['m1', 'm3']);
      for (const message of arrived) {
        // x-delivery-count is the work queue's own (quorum queues count deliveries); no failure header came along.
        const headerNames = Object.keys(message.properties.headers ?? {});
        expect(headerNames.filter((name) => /^x-(orderly-|death|first-death|last-death)/.test(name))).toEqual(
          [],
        );
        expect(headerNames.filter((name) => name.startsWith('x-'))).toEqual(
          headerNames.includes('x-delivery-count') ? ['x-delivery-count'] : [],
        );
        expect(message.properties.headers).toMatchObject({ 'cloudEvents:type': ReserveStock.type });
        expect(message.properties.type).toBe(ReserveStock.type);
        expect(message.fields.exchange).toBe(Exchanges.inventoryCommands);
        expect(JSON.parse(message.content.toString())).toEqual({
          orderId: `order-of-${message.properties.messageId}`,
        });
      }
      expect(arrived[0]?.properties.expiration).toBe('60000');
      expect(await idsIn(inventory.name)).toEqual(['m2', 'm4']);
    });

    it('selects by id, and --limit stops after that many', async () => {
      await park(
        inventory.name,
        [reserve('m1'), reserve('m2'), reserve('m3'), reserve('m4')],
        Exchanges.inventoryCommands,
      );

      expect(
        (await cli('dlq', 'replay', inventory.name, '--id', 'm3', '--id', 'm4', ...connectionFlags())).code,
      ).toBe(ExitCode.ok);
      expect((await drain(inventory.workQueue)).map((m) => m.properties.messageId)).toEqual(['m3', 'm4']);
      expect(await idsIn(inventory.name)).toEqual(['m1', 'm2']);

      const limited = await cli('dlq', 'replay', inventory.name, '--limit', '1', ...connectionFlags());
      expect(limited.code).toBe(ExitCode.ok);
      expect(limited.out).toContain('replayed 1,');
      expect((await drain(inventory.workQueue)).map((m) => m.properties.messageId)).toEqual(['m1']);
      expect(await idsIn(inventory.name)).toEqual(['m2']);
    });

    it('keeps a message it cannot republish (exchange gone, nothing bound) in the DLQ and replays the others', async () => {
      const missingExchange = `${Exchanges.orderEvents}.gone-${broker.vhost}`;
      await park(
        notification.name,
        [
          { id: 'n1', type: OrderConfirmed.type },
          { id: 'n2', type: OrderConfirmed.type, exchange: missingExchange },
          { id: 'n3', type: OrderConfirmed.type, routingKey: 'order.nobody-listens' },
          { id: 'n4', type: OrderConfirmed.type },
        ],
        Exchanges.orderEvents,
      );

      const { code, out, err } = await cli('dlq', 'replay', notification.workQueue, ...connectionFlags());

      expect(code).toBe(ExitCode.failure);
      expect(out).toContain('replayed 2, failed 2 (kept)');
      expect(err).toContain(
        `kept in the DLQ: ${OrderConfirmed.type} n2: exchange "${missingExchange}" does not exist`,
      );
      expect(err).toContain(
        `kept in the DLQ: ${OrderConfirmed.type} n3: not republished: exchange "${Exchanges.orderEvents}" routing key "order.nobody-listens" routes to no queue`,
      );
      expect((await drain(notification.workQueue)).map((m) => m.properties.messageId)).toEqual(['n1', 'n4']);
      expect(await idsIn(notification.name)).toEqual(['n2', 'n3']);
    });

    it('loses nothing when it crashes between the confirm and the ack: that message is in both places', async () => {
      await park(
        inventory.name,
        [reserve('m1'), reserve('m2'), reserve('m3'), reserve('m4')],
        Exchanges.inventoryCommands,
      );
      const target = new URL(broker.amqpUrl);
      const client = await DeadLetterQueueClient.connect(target.toString(), 'test', broker.vhost);
      let confirmed = 0;
      await expect(
        client.replay(inventory, {
          selection: {},
          afterConfirm() {
            confirmed += 1;
            if (confirmed === 2) throw new Error('crash point: confirmed, not acked');
          },
        }),
      ).rejects.toThrow('crash point');
      await client.close();

      // Messages after m2 may have been republished too (several wait for their confirm at once), but
      // none was removed from the DLQ after the crash.
      const arrived = (await drain(inventory.workQueue)).map((m) => m.properties.messageId);
      expect(arrived.slice(0, 2)).toEqual(['m1', 'm2']);
      expect(['m1', 'm2', 'm3', 'm4']).toEqual(expect.arrayContaining(arrived));
      // m2 is back in its place at the head: at-least-once, its consumer's inbox absorbs the duplicate.
      expect(await idsIn(inventory.name)).toEqual(['m2', 'm3', 'm4']);
    });

    it('loses nothing when the CLI process is killed mid-replay', async () => {
      const ids = Array.from({ length: 300 }, (_, i) => `k${String(i).padStart(3, '0')}`);
      await park(
        inventory.name,
        ids.map((id) => reserve(id)),
        Exchanges.inventoryCommands,
      );

      const child = spawnCli(['dlq', 'replay', inventory.name, ...connectionFlags()]);
      const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
        child.on('exit', (code, signal) => resolve(signal ?? code)),
      );
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        if (chunk.includes('replayed ')) child.kill('SIGKILL');
      });
      await exited;
      // The broker returns the killed CLI's unacknowledged messages when it sees its connection close.
      await untilAtLeast(ids.length, [inventory.name, inventory.workQueue]);

      const inDlq = await idsIn(inventory.name);
      const arrived = (await drain(inventory.workQueue)).map((m) => String(m.properties.messageId));
      expect(new Set([...inDlq, ...arrived])).toEqual(new Set(ids));
      // It was killed after printing a replayed message, which it prints once that one was acked.
      expect(arrived.length).toBeGreaterThanOrEqual(1);
      // Nothing was replayed twice, and whatever remained kept its order.
      expect(new Set(arrived).size).toBe(arrived.length);
      expect(inDlq).toEqual([...inDlq].sort());
    });
  });

  describe('replay stopped with Ctrl-C', () => {
    it('finishes the messages in flight: each is either republished or still in the DLQ, never both', async () => {
      const ids = Array.from({ length: 1000 }, (_, i) => `c${String(i).padStart(4, '0')}`);
      await park(
        inventory.name,
        ids.map((id) => reserve(id)),
        Exchanges.inventoryCommands,
      );
      const child = spawnCli(['dlq', 'replay', inventory.name, ...connectionFlags()]);
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      // Twice, as Ctrl-C under `npm run` delivers it (the terminal's, and the one run-ts.mjs forwards).
      let interrupted = false;
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        if (!interrupted && chunk.includes('replayed '))
          interrupted = child.kill('SIGINT') && child.kill('SIGINT');
      });
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));

      // 1: interrupted; 0: it had finished before the signal arrived. Either way nothing is lost or doubled.
      expect([ExitCode.ok, ExitCode.failure]).toContain(code);
      if (code === ExitCode.failure)
        expect(stderr).toContain('interrupted: the messages not replayed are still in the DLQ');
      const inDlq = await idsIn(inventory.name);
      const arrived = (await drain(inventory.workQueue)).map((m) => String(m.properties.messageId));
      expect([...inDlq, ...arrived].sort()).toEqual(ids);
      expect(inDlq).toEqual([...inDlq].sort());
    });
  });

  describe('purge', () => {
    it('with --yes empties the DLQ', async () => {
      await park(inventory.name, [reserve('m1'), reserve('m2')], Exchanges.inventoryCommands);
      const { code, out } = await cli('dlq', 'purge', inventory.workQueue, '--yes', ...connectionFlags());
      expect(code).toBe(ExitCode.ok);
      expect(out).toBe(`purged 2 message(s) from ${inventory.name}`);
      expect(await idsIn(inventory.name)).toEqual([]);
    });

    it('refuses without --yes when there is no terminal to ask on, and deletes nothing', async () => {
      await park(inventory.name, [reserve('m1')], Exchanges.inventoryCommands);
      const child = spawnCli(['dlq', 'purge', inventory.name, ...connectionFlags()]);
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      expect(code).toBe(ExitCode.failure);
      expect(stderr).toContain(
        `refusing to purge ${inventory.name} without confirmation: there is no terminal to ask on; pass --yes`,
      );
      expect(await idsIn(inventory.name)).toEqual(['m1']);
    });
  });

  describe('purge on a terminal', () => {
    /** Runs `dlq purge` under `script`, which gives it a pseudo-terminal, and answers its prompt. */
    async function purgeAnswering(answer: string) {
      const root = workspaceRoot();
      const quote = (arg: string) => `'${arg.replace(/'/g, `'\\''`)}'`;
      const command = [
        process.execPath,
        '--require',
        '@swc-node/register',
        path.join(root, 'apps/broker/src/cli.ts'),
      ]
        .concat(['dlq', 'purge', inventory.name, ...connectionFlags()])
        .map(quote)
        .join(' ');
      const child = spawn('script', ['-qec', command, '/dev/null'], {
        cwd: root,
        env: { ...process.env, SWC_NODE_PROJECT: path.join(root, 'tsconfig.base.json') },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let screen = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        const asked = screen.includes('[y/N]');
        screen += chunk;
        if (!asked && screen.includes('[y/N]')) child.stdin.write(`${answer}\n`);
      });
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      child.stdin.end();
      return { code, screen };
    }

    it('asks first: "n" keeps the messages, "y" deletes them', async () => {
      await park(inventory.name, [reserve('m1'), reserve('m2')], Exchanges.inventoryCommands);

      const declined = await purgeAnswering('n');
      expect(declined.screen).toContain(`Delete the 2 message(s) of ${inventory.name} for good? [y/N]`);
      expect(declined.code).toBe(ExitCode.failure);
      expect(await idsIn(inventory.name)).toEqual(['m1', 'm2']);

      const accepted = await purgeAnswering('y');
      expect(accepted.code).toBe(ExitCode.ok);
      expect(accepted.screen).toContain(`purged 2 message(s) from ${inventory.name}`);
      expect(await idsIn(inventory.name)).toEqual([]);
    });
  });

  describe('errors', () => {
    it('names the valid queues for an unknown one', async () => {
      const { code, err } = await cli('dlq', 'peek', 'no-such-queue', ...connectionFlags());
      expect(code).toBe(ExitCode.usage);
      expect(err).toContain(
        `no dead-letter queue "no-such-queue" in the topology; known: ${Topology.queues.map((q) => q.name).join(', ')}`,
      );
    });

    it('refuses bad flags and a missing queue', async () => {
      expect((await cli('dlq', 'peek', inventory.name, '--limit', '0')).err).toContain(
        '--limit must be a whole number of at least 1, got "0"',
      );
      expect((await cli('dlq', 'replay', inventory.name, '--bogus')).code).toBe(ExitCode.usage);
      expect((await cli('dlq', 'purge')).err).toContain('missing <queue>');
      expect((await cli('dlq', 'list', 'extra')).err).toContain('unexpected argument "extra"');
    });

    it('says where it could not connect', async () => {
      const port = await freePort();
      const { code, err } = await cli(
        'dlq',
        'list',
        '--amqp-url',
        `amqp://operator:not-used@127.0.0.1:${port}`,
        '--vhost',
        broker.vhost,
      );
      expect(code).toBe(ExitCode.failure);
      expect(err).toContain(
        `error: cannot connect to amqp://127.0.0.1:${port}/${broker.vhost}: connection refused`,
      );
    });

    it('says when the vhost does not exist', async () => {
      const { code, err } = await cli(
        'dlq',
        'list',
        '--url',
        broker.managementUrl,
        '--vhost',
        `${broker.vhost}-missing`,
      );
      expect(code).toBe(ExitCode.failure);
      expect(err).toContain(`no vhost "${broker.vhost}-missing"`);
    });
  });
});
