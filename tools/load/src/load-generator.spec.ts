import { HttpPollingTracker } from './http-polling-tracker';
import { runLoad } from './load-generator';
import { parseMix } from './mix';
import { startFakeOrderService } from './test-support/fake-order-service';

describe('runLoad against a stand-in order-service', () => {
  let service: Awaited<ReturnType<typeof startFakeOrderService>>;
  afterEach(() => service.close());

  it('places rate × duration orders with the mix, follows each to its end and counts outcomes', async () => {
    service = await startFakeOrderService({ pendingPolls: 2 });
    const tracker = new HttpPollingTracker(service.baseUrl, { pollers: 4, pollIntervalMs: 1 });
    try {
      // The stand-in confirms the orders of a `silent` customer: the generator must call them unexpected.
      const report = await runLoad({
        baseUrl: service.baseUrl,
        rate: 400,
        durationMs: 100,
        mix: parseMix('success=4,out-of-stock=2,declined=1,silent=1'),
        tracker,
        runId: 'spec',
      });
      expect(report).toMatchObject({
        planned: 40,
        sent: 40,
        settled: 40,
        unexpected: 5,
        unsettled: 0,
        httpErrors: 0,
        clean: false,
      });
      const byPath = Object.fromEntries(report.paths.map((p) => [p.path, p]));
      expect(byPath['success']).toMatchObject({
        sent: 20,
        accepted: 20,
        outcomes: { CONFIRMED: 20 },
        unexpected: 0,
      });
      expect(byPath['out-of-stock']).toMatchObject({ sent: 10, outcomes: { REJECTED: 10 }, unexpected: 0 });
      expect(byPath['declined']).toMatchObject({ sent: 5, outcomes: { REJECTED: 5 }, unexpected: 0 });
      expect(byPath['silent']).toMatchObject({ sent: 5, outcomes: { CONFIRMED: 5 }, unexpected: 5 });
      expect(byPath['success']?.terminalMs?.count).toBe(20);
      expect(byPath['silent']?.terminalMs).toBeUndefined();
      expect(service.orders.size).toBe(40);
    } finally {
      await tracker.close();
    }
  });

  it('counts HTTP errors and the answers to cancel requests', async () => {
    service = await startFakeOrderService({ failPosts: 3, holdUntilCancelled: true });
    const tracker = new HttpPollingTracker(service.baseUrl, { pollers: 2, pollIntervalMs: 1 });
    try {
      const report = await runLoad({
        baseUrl: service.baseUrl,
        rate: 200,
        durationMs: 100,
        mix: parseMix('cancel=1'),
        tracker,
      });
      expect(report).toMatchObject({ sent: 20, httpErrors: 3, settled: 17, unexpected: 0, clean: false });
      expect(report.paths[0]).toMatchObject({
        accepted: 17,
        httpErrors: { '500': 3 },
        cancelAnswers: { '202': 17 },
        outcomes: { CANCELLED: 17 },
      });
    } finally {
      await tracker.close();
    }
  });
});
