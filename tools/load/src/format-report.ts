import type { LoadReport } from './load-generator';
import type { LatencySummary } from './stats';

/** The report as a few lines of text: totals, then one line per path. */
export function formatReport(report: LoadReport): string {
  const ms = (s?: LatencySummary) => (s ? `p50 ${s.p50} ms, p99 ${s.p99} ms, max ${s.max} ms` : '–');
  const counts = (c: Record<string, number>) =>
    Object.entries(c)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ') || '–';
  const lines = [
    `offered ${report.offeredRate}/s for ${report.durationMs / 1000} s: ${report.sent}/${report.planned} sent, ` +
      `${report.settled} ended (${report.settledPerS}/s; ${counts(report.ratesPerS)} per s), tracked by ${report.tracker}`,
    `drain after the last send ${report.drainMs} ms, worst send lag ${report.maxSendLagMs} ms; ` +
      `unexpected ${report.unexpected}, unsettled ${report.unsettled}, HTTP errors ${report.httpErrors}` +
      (report.clean ? '' : '  ✖'),
  ];
  for (const path of report.paths) {
    lines.push(
      `  ${path.path}: ${path.sent} sent, ${path.accepted} accepted; ends ${counts(path.outcomes)}` +
        (path.cancelAnswers ? `; cancel answers ${counts(path.cancelAnswers)}` : '') +
        (Object.keys(path.httpErrors).length ? `; HTTP errors ${counts(path.httpErrors)}` : '') +
        `\n      to 201: ${ms(path.acceptMs)}\n      to end: ${ms(path.terminalMs)}`,
    );
  }
  return lines.join('\n');
}
