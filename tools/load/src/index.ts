// An open-loop load generator for order-service: places orders at a rate with a mix of paths and
// follows each to its end (used by bench/suites/saga.bench.ts and `npm run load`).
export { formatMix, MixPicker, OrderPaths, parseMix } from './mix';
export type { Mix, MixEntry, OrderPath } from './mix';
export { dueAtMs, dueCount, openLoopSchedule } from './schedule';
export type { OpenLoopSchedule } from './schedule';
export { percentileOfSorted, summarize } from './stats';
export type { LatencySummary } from './stats';
export { isExpectedOutcome, orderRequest, SeedCatalog } from './order-requests';
export type { LoadCatalog, PlaceOrderBody, TerminalStatus } from './order-requests';
export type { OutcomeTracker, Terminal } from './outcome-tracker';
export { HttpPollingTracker } from './http-polling-tracker';
export type { HttpPollingOptions } from './http-polling-tracker';
export { OrderEventsTracker } from './order-events-tracker';
export type { OrderEventsOptions } from './order-events-tracker';
export { runLoad } from './load-generator';
export type { LoadOptions, LoadReport, PathReport } from './load-generator';
export { formatReport } from './format-report';
