import type { TracedService } from './traced-service';

/**
 * Drives a traced-messaging service (traced-messaging.main.ts): the loops run inside the service, next
 * to its AmqpClient and AmqpServer, so the figures are the publish → confirm → deliver → handle path's,
 * not this process's HTTP calls.
 */
export async function messagingThroughput(
  service: TracedService,
  concurrency: number,
  seconds: number,
): Promise<{ messages: number; perSecond: number }> {
  return get(service, `/throughput?concurrency=${concurrency}&seconds=${seconds}`);
}

/** Publish → handled latencies in ms, messages started at `ratePerS`. */
export async function messagingLatencies(service: TracedService, ratePerS: number, seconds: number): Promise<number[]> {
  return get(service, `/latency?rate=${ratePerS}&seconds=${seconds}`);
}

async function get<T>(service: TracedService, pathAndQuery: string): Promise<T> {
  const response = await fetch(`${service.url}${pathAndQuery}`);
  if (!response.ok) throw new Error(`${pathAndQuery} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}
