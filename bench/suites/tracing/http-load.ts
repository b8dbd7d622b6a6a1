/** Closed loop: `concurrency` requests always in flight for `seconds`. */
export async function measureThroughput(
  url: string,
  concurrency: number,
  seconds: number,
): Promise<{ requests: number; perSecond: number }> {
  const end = Date.now() + seconds * 1000;
  let completed = 0;
  const worker = async () => {
    while (Date.now() < end) {
      await request(url);
      completed += 1;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { requests: completed, perSecond: completed / ((performance.now() - started) / 1000) };
}

/**
 * Open loop: requests started at a fixed rate whatever the answers, so a slow answer cannot hold back
 * the next request (no coordinated omission); returns each request's latency in ms.
 */
export async function measureLatencies(url: string, ratePerS: number, seconds: number): Promise<number[]> {
  const count = Math.round(ratePerS * seconds);
  const intervalMs = 1000 / ratePerS;
  const started = performance.now();
  const pending: Array<Promise<number>> = [];
  for (let i = 0; i < count; i += 1) {
    const due = started + i * intervalMs;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    pending.push(
      (async () => {
        const sent = performance.now();
        await request(url);
        return performance.now() - sent;
      })(),
    );
  }
  return Promise.all(pending);
}

export async function warmUp(url: string, requests: number): Promise<void> {
  for (let i = 0; i < requests; i += 1) await request(url);
}

async function request(url: string): Promise<void> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  await response.arrayBuffer();
}
