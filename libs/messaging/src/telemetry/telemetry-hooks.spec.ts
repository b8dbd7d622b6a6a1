import { metricsRegistry } from '@orderly/observability';
import type { FailureDisposition } from '../messaging-hooks';
import { telemetryHooks } from './telemetry-hooks';

const failure = (retryable: boolean) => ({ retryable, type: 'Error', message: 'stock service timed out' });

async function series(name: string): Promise<string[]> {
  return (await metricsRegistry.metrics()).split('\n').filter((line) => line.startsWith(`${name}{`));
}

describe('telemetryHooks().onFailure', () => {
  it('counts a scheduled retry per queue and type, and a parked delivery per reason', async () => {
    const hooks = telemetryHooks();
    const dispositions: FailureDisposition[] = [
      { queue: 'q', messageType: 't', failure: failure(true), attempt: 1, outcome: 'retry', delayMs: 1000 },
      { queue: 'q', messageType: 't', failure: failure(true), attempt: 2, outcome: 'retry', delayMs: 5000 },
      { queue: 'q', messageType: 't', failure: failure(true), attempt: 3, outcome: 'dead-letter' },
      { queue: 'q', messageType: 't', failure: failure(false), attempt: 1, outcome: 'dead-letter' },
      { queue: 'q', failure: failure(false), attempt: 1, outcome: 'dead-letter' },
    ];
    for (const disposition of dispositions) hooks.onFailure?.(disposition);

    // Each queue and type starts its series at 0 for every reason (a failure panel shows 0, not no data).
    expect(await series('orderly_messaging_retried_total')).toEqual([
      'orderly_messaging_retried_total{queue="q",message_type="t"} 2',
      'orderly_messaging_retried_total{queue="q",message_type="unknown"} 0',
    ]);
    expect(await series('orderly_messaging_dead_lettered_total')).toEqual([
      'orderly_messaging_dead_lettered_total{queue="q",message_type="t",reason="non_retryable"} 1',
      'orderly_messaging_dead_lettered_total{queue="q",message_type="t",reason="retries_exhausted"} 1',
      'orderly_messaging_dead_lettered_total{queue="q",message_type="unknown",reason="non_retryable"} 1',
      'orderly_messaging_dead_lettered_total{queue="q",message_type="unknown",reason="retries_exhausted"} 0',
    ]);
  });
});
