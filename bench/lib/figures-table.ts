import type { Figure, Subject } from './bench-suite';

/**
 * Renders figures as one row per metric and one column per subject, each cell `value unit (ratio×)`:
 *
 *   metric                   amqplib       orderly              nest-rmq
 *   publish_confirmed_per_s  15,210 msg/s  13,900 msg/s (0.91×)  6,020 msg/s (0.40×)
 */
export function figuresTable(figures: readonly Figure[]): string {
  const subjects: Subject[] = [...new Set(figures.map((f) => f.subject))];
  const metrics = [...new Set(figures.map((f) => f.metric))];
  const rows = metrics.map((metric) => [
    metric,
    ...subjects.map((subject) => {
      const figure = figures.find((f) => f.metric === metric && f.subject === subject);
      return figure ? formatFigure(figure) : '–';
    }),
  ]);
  return textTable(['metric', ...subjects], rows);
}

export function formatFigure(figure: Figure): string {
  const value = `${formatNumber(figure.value)} ${figure.unit}`;
  return figure.ratio === undefined ? value : `${value} (${figure.ratio.toFixed(2)}×)`;
}

export function formatNumber(value: number): string {
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Left-aligned columns separated by two spaces, with a rule under the header. */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column]))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '─'.repeat(w))), ...rows.map(line)].join('\n');
}
