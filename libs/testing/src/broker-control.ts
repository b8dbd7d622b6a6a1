import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { TestEnv } from './test-servers';

const run = promisify(execFile);

export interface BrokerControl {
  /** `rabbitmqctl stop_app`, then `start_app` and `await_startup`: every connection drops, queues survive. */
  restart(options?: { downMs?: number }): Promise<void>;
}

/**
 * Control of the run's RabbitMQ node for fault tests. Throws (never skips) when the servers were given
 * from outside without `ORDERLY_TEST_BROKER_CONTROL`: a fault test that cannot inject its fault must fail.
 * Restart only a node of the test file's own (`startPrivateBroker`): other test files run at the same
 * time against the shared one.
 */
export function testBrokerControl(): BrokerControl {
  const raw = process.env[TestEnv.brokerControl];
  if (!raw) {
    throw new Error(
      `${TestEnv.brokerControl} is not set: this test needs the broker started by the test harness`,
    );
  }
  const { command, env } = JSON.parse(raw) as { command: string; env: Record<string, string> };
  const ctl = (...args: string[]) => run(command, args, { env, timeout: 90_000 });
  return {
    async restart({ downMs = 0 } = {}) {
      await ctl('stop_app');
      if (downMs > 0) await new Promise((resolve) => setTimeout(resolve, downMs));
      await ctl('start_app');
      await ctl('await_startup');
    },
  };
}
