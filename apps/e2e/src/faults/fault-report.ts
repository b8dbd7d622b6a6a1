import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LedgerCounts } from './fault-ledger';

/** One injected fault and how the system came back from it. */
export interface FaultRecord {
  name: string;
  detail: string;
  /** Sagas not terminal when the fault began. */
  inFlight: number;
  /** From injection until the fault was over (a killed service ready again, the broker back). */
  faultMs: number;
  /** From the end of the fault until every saga started before that moment was terminal. */
  recoveryMs: number;
  recovered: boolean;
  /** Resident memory in MiB per service: before the fault, peak during it and its recovery, after. */
  rss?: Record<string, { before: number; peak: number; after: number }>;
}

export interface FaultReport {
  profile: string;
  /** What the services' broker was, when not a single node (the cluster form: nodes and replication). */
  broker?: string;
  startedAt: string;
  durationS: number;
  machine: { cpus: number; loadAverageAtEnd: number[] };
  ledger: LedgerCounts;
  /** Saga commands re-sent after a deadline (duplicates the participants absorbed). */
  resentCommands: number;
  /** Poison messages injected / found parked in a DLQ. */
  deadLetters: { injected: number; parked: number };
  faults: FaultRecord[];
  /** Each service's RSS over the whole run (MiB): first sample, peak, last sample. */
  rssRun: Record<string, { first: number; peak: number; last: number }>;
}

const seconds = (ms: number) => (ms / 1000).toFixed(1);

/** The report as Markdown: the summary table of issue 10, then one row per fault, then memory. */
export function formatReport(report: FaultReport): string {
  const { ledger } = report;
  const maxRecovery = Math.max(0, ...report.faults.map((f) => f.recoveryMs));
  const recovered = report.faults.filter((f) => f.recovered).length;
  const lines = [
    `### Fault suite (${report.profile}) — ${report.startedAt}, ${report.durationS} s, load ${report.machine.loadAverageAtEnd.map((l) => l.toFixed(1)).join(' ')} on ${report.machine.cpus} CPUs`,
    '',
    ...(report.broker ? [`Broker: ${report.broker}.`, ''] : []),
    '| orders | outcomes | faults | lost | duplicated effects | unexpected | recovered | max recovery | longest saga | re-sent commands | poison parked |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    `| ${ledger.orders} | ${Object.entries(ledger.outcomes)
      .map(([k, v]) => `${v} ${k.toLowerCase()}`)
      .join(
        ', ',
      )} | ${report.faults.length} | ${ledger.lost} | ${ledger.duplicated} | ${ledger.unexpected} | ${recovered}/${report.faults.length} | ${seconds(maxRecovery)} s | ${seconds(ledger.maxSagaMs)} s | ${report.resentCommands} | ${report.deadLetters.parked}/${report.deadLetters.injected} |`,
    '',
    '| fault | what happened | sagas in flight | fault lasted | recovery |',
    '| --- | --- | --- | --- | --- |',
    ...report.faults.map(
      (f) =>
        `| ${f.name} | ${f.detail} | ${f.inFlight} | ${seconds(f.faultMs)} s | ${f.recovered ? `${seconds(f.recoveryMs)} s` : `NOT within ${seconds(f.recoveryMs)} s`} |`,
    ),
  ];
  const outages = report.faults.filter((f) => f.rss);
  if (outages.length > 0) {
    lines.push(
      '',
      '| broker outage | service | RSS before | peak during | after recovery | growth |',
      '| --- | --- | --- | --- | --- | --- |',
    );
    for (const fault of outages) {
      for (const [service, rss] of Object.entries(fault.rss ?? {})) {
        lines.push(
          `| ${fault.name} | ${service} | ${rss.before} MiB | ${rss.peak} MiB | ${rss.after} MiB | ${(rss.peak - rss.before).toFixed(1)} MiB |`,
        );
      }
    }
  }
  lines.push('', '| service | RSS at start | peak | at end |', '| --- | --- | --- | --- |');
  for (const [service, rss] of Object.entries(report.rssRun)) {
    lines.push(`| ${service} | ${rss.first} MiB | ${rss.peak} MiB | ${rss.last} MiB |`);
  }
  const kinds = (['lost', 'duplicated', 'unexpected'] as const).filter(
    (k) => Object.keys(ledger.detail[k]).length > 0,
  );
  if (kinds.length > 0) {
    lines.push('', ...kinds.map((k) => `- ${k}: ${JSON.stringify(ledger.detail[k])}`));
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Writes `faults-<profile>.json` and `.md`: the long and cluster forms' under apps/e2e/results (committed;
 * the README quotes them), the short form's, which every `npm test` runs, under the git-ignored
 * .local/test-results.
 */
export function writeReport(report: FaultReport): string {
  const dir =
    report.profile !== 'short'
      ? path.resolve(__dirname, '../../results')
      : path.resolve(__dirname, '../../../../.local/test-results');
  mkdirSync(dir, { recursive: true });
  const base = path.join(dir, `faults-${report.profile}`);
  writeFileSync(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(`${base}.md`, formatReport(report));
  return `${base}.md`;
}

export function machine(): FaultReport['machine'] {
  return { cpus: os.cpus().length, loadAverageAtEnd: os.loadavg() };
}
