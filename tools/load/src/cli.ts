// `npm run load -- --rate 100 --duration 60 --mix success=80,out-of-stock=5,declined=10,cancel=5
//   --base-url http://localhost:3001 [--amqp-url amqp://…/orderly] [--sku PEN-BLUE --price 150] [--json]`
import { parseArgs } from 'node:util';
import { formatReport } from './format-report';
import { HttpPollingTracker } from './http-polling-tracker';
import { runLoad } from './load-generator';
import { parseMix } from './mix';
import { OrderEventsTracker } from './order-events-tracker';
import { SeedCatalog } from './order-requests';
import type { OutcomeTracker } from './outcome-tracker';

const usage = `Usage: npm run load -- [--rate <orders/s>] [--duration <s>] [--mix <path=weight,…>]
                     [--base-url <order-service>] [--amqp-url <broker url into the vhost>]
                     [--sku <stocked SKU> --price <minor units>] [--max-in-flight <n>]
                     [--settle-timeout <s>] [--pollers <n>] [--poll-interval <ms>] [--json]
paths: success, out-of-stock, declined, cancel, silent (defaults: 50/s for 10 s, success=100,
http://localhost:3001, tracking by polling GET /orders/:id; with --amqp-url by order events)`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      rate: { type: 'string', default: '50' },
      duration: { type: 'string', default: '10' },
      mix: { type: 'string', default: 'success=100' },
      'base-url': { type: 'string', default: 'http://localhost:3001' },
      'amqp-url': { type: 'string' },
      sku: { type: 'string', default: SeedCatalog.stockedSku },
      price: { type: 'string', default: String(SeedCatalog.stockedPriceMinor) },
      'max-in-flight': { type: 'string', default: '5000' },
      'settle-timeout': { type: 'string', default: '30' },
      pollers: { type: 'string', default: '16' },
      'poll-interval': { type: 'string', default: '25' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const number = (name: keyof typeof values) => {
    const value = Number(values[name]);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
    return value;
  };
  const baseUrl = (values['base-url'] ?? '').replace(/\/$/, '');
  const mix = parseMix(values.mix ?? '');
  const tracker: OutcomeTracker = values['amqp-url']
    ? await OrderEventsTracker.start(values['amqp-url'])
    : new HttpPollingTracker(baseUrl, {
        pollers: number('pollers'),
        pollIntervalMs: number('poll-interval'),
      });
  try {
    const report = await runLoad({
      baseUrl,
      rate: number('rate'),
      durationMs: number('duration') * 1000,
      mix,
      tracker,
      catalog: {
        ...SeedCatalog,
        stockedSku: values.sku ?? SeedCatalog.stockedSku,
        stockedPriceMinor: number('price'),
      },
      maxInFlight: number('max-in-flight'),
      settleTimeoutMs: number('settle-timeout') * 1000,
    });
    console.log(values.json ? JSON.stringify(report, null, 2) : formatReport(report));
    return report.clean ? 0 : 1;
  } finally {
    await tracker.close();
  }
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    console.error((error as Error).message);
    console.error(usage);
    process.exitCode = 2;
  },
);
