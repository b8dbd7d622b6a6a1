import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { alertRules, alertTestCoverage, prometheusDir, rulesFile, rulesTestFile } from './grafana-files';

/** Debian's `prometheus` package installs promtool (CI: `apt-get install -y prometheus`). */
function promtool(args: string[], cwd: string): { status: number | null; output: string } {
  const result = spawnSync('promtool', args, { cwd, encoding: 'utf8' });
  if (result.error) {
    throw new Error(
      `cannot run promtool (${result.error.message}): install it with \`apt-get install -y prometheus\``,
    );
  }
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('Prometheus alert rules', () => {
  it('are valid rules (promtool check rules)', () => {
    const { status, output } = promtool(['check', 'rules', rulesFile], prometheusDir);
    expect({ status, output }).toEqual({
      status: 0,
      output: expect.stringContaining(`SUCCESS: ${alertRules().length} rules found`),
    });
  });

  it('fire and stay quiet as their unit tests expect (promtool test rules)', () => {
    const { status, output } = promtool(
      ['test', 'rules', path.basename(rulesTestFile)],
      path.dirname(rulesTestFile),
    );
    expect({ status, output }).toEqual({ status: 0, output: expect.stringContaining('SUCCESS') });
  });

  it('each have a test case where they fire and one where they stay quiet', () => {
    const coverage = alertTestCoverage();
    const missing = alertRules()
      .map(({ alert }) => ({ alert, ...(coverage.get(alert) ?? { fires: 0, quiet: 0 }) }))
      .filter(({ fires, quiet }) => fires === 0 || quiet === 0);
    expect(missing).toEqual([]);
  });

  it('cover the alerts the design asks for', () => {
    expect(alertRules().map((rule) => rule.alert)).toEqual(
      expect.arrayContaining([
        'RabbitMQQueueDepthHigh',
        'RabbitMQMemoryHigh',
        'RabbitMQNodeDown',
        'RabbitMQUnroutableReturns',
        'RabbitMQDeadLetterQueueNotEmpty',
        'OrderlyOutboxBacklogHigh',
        'OrderlyOutboxLagHigh',
        'OrderlySagaFailureRateHigh',
        'OrderlyServiceDown',
      ]),
    );
  });

  it('are loaded by a valid Prometheus configuration (promtool check config)', () => {
    const { status, output } = promtool(['check', 'config', 'prometheus.yml'], prometheusDir);
    expect({ status, output }).toEqual({ status: 0, output: expect.stringContaining('SUCCESS') });
  });
});
