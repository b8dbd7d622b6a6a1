import { OrderlyMetrics } from '@orderly/observability';
import {
  alertRules,
  type DashboardPanel,
  dashboardFiles,
  metricNamesIn,
  panelsOf,
  promQueries,
  provisionedDatasources,
  readDashboard,
  variablesOutsideRegexMatchers,
} from './grafana-files';

/** Panel types of Grafana 10/11 that these dashboards may use. */
const PANEL_TYPES = new Set(['row', 'timeseries', 'stat', 'gauge', 'bargauge', 'table', 'text', 'heatmap']);
const HISTOGRAM_SUFFIXES = ['_bucket', '_sum', '_count'];

const datasources = provisionedDatasources();
const files = dashboardFiles();
const declared = new Map<string, string>(Object.values(OrderlyMetrics).map((m) => [m.name, m.kind]));

/** The declared metric a series name belongs to (`x_bucket` → histogram `x`), if any. */
function declaredMetricOf(series: string): { name: string; kind: string; suffix: string } | undefined {
  if (declared.has(series)) return { name: series, kind: declared.get(series) ?? '', suffix: '' };
  for (const suffix of HISTOGRAM_SUFFIXES) {
    const base = series.slice(0, -suffix.length);
    if (series.endsWith(suffix) && declared.get(base) === 'histogram')
      return { name: base, kind: 'histogram', suffix };
  }
  return undefined;
}

describe('Grafana provisioning', () => {
  it('provisions Prometheus and Tempo, each under a unique uid', () => {
    expect(datasources.map(({ uid, type }) => ({ uid, type }))).toEqual([
      { uid: 'prometheus', type: 'prometheus' },
      { uid: 'tempo', type: 'tempo' },
    ]);
  });

  it('has the dashboards the design asks for', () => {
    expect(files).toEqual([
      'messaging.json',
      'outbox.json',
      'rabbitmq-overview.json',
      'sagas.json',
      'services-red.json',
    ]);
  });
});

describe.each(files)('dashboard %s', (file) => {
  const dashboard = readDashboard(file);
  const panels = panelsOf(dashboard);

  it('has the fields Grafana requires to load it', () => {
    expect(dashboard.uid).toMatch(/^[a-zA-Z0-9_-]{1,40}$/);
    expect(dashboard.title).toMatch(/^Orderly \/ /);
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    expect(dashboard.time).toEqual({ from: expect.any(String), to: expect.any(String) });
    expect(Array.isArray(dashboard.templating?.list)).toBe(true);
    expect(dashboard.tags).toContain('orderly');
    expect(panels.length).toBeGreaterThan(0);
  });

  it('gives each panel a unique id, a known type, a title and a place on the 24-column grid', () => {
    const ids = panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const panel of panels) {
      expect({ title: panel.title, id: panel.id, type: PANEL_TYPES.has(panel.type ?? '') }).toEqual({
        title: expect.stringMatching(/\S/),
        id: expect.any(Number),
        type: true,
      });
      const { h = 0, w = 0, x = -1, y = -1 } = panel.gridPos ?? {};
      expect({ panel: panel.title, fits: h > 0 && w > 0 && x >= 0 && y >= 0 && x + w <= 24 }).toEqual({
        panel: panel.title,
        fits: true,
      });
    }
    expect(overlapping(panels)).toEqual([]);
  });

  it('describes every panel (what it shows and what is normal)', () => {
    const undescribed = panels.filter((p) => p.type !== 'row' && !p.description).map((p) => p.title);
    expect(undescribed).toEqual([]);
  });

  it('refers only to provisioned datasources, with their type', () => {
    const references = [
      ...panels
        .filter((p) => p.type !== 'row')
        .map((p) => ({ where: `panel ${p.title}`, ref: p.datasource })),
      ...panels.flatMap((p) =>
        (p.targets ?? []).map((t) => ({
          where: `panel ${p.title} ${t.refId}`,
          ref: t.datasource ?? p.datasource,
        })),
      ),
      ...(dashboard.templating?.list ?? []).map((v) => ({ where: `variable ${v.name}`, ref: v.datasource })),
    ];
    const unresolved = references.filter(
      ({ ref }) => !datasources.some((ds) => ds.uid === ref?.uid && ds.type === ref?.type),
    );
    expect(unresolved).toEqual([]);
  });

  it('gives every query target a unique refId and a query', () => {
    for (const panel of panels) {
      const targets = panel.targets ?? [];
      expect(new Set(targets.map((t) => t.refId)).size).toBe(targets.length);
      for (const target of targets) expect(target.expr ?? target.query).toMatch(/\S/);
    }
  });

  it('links to traces only through the provisioned Tempo datasource', () => {
    for (const link of linksOf(panels)) {
      if (!link.url?.startsWith('/explore')) continue;
      const panes = JSON.parse(
        new URL(link.url.replace(/\$\{[^}]+\}/g, 'x'), 'http://grafana').searchParams.get('panes') ?? '{}',
      ) as Record<
        string,
        { datasource?: string; queries?: Array<{ datasource?: { uid?: string }; query?: string }> }
      >;
      for (const pane of Object.values(panes)) {
        expect(pane.datasource).toBe('tempo');
        for (const query of pane.queries ?? [])
          expect(query).toMatchObject({
            datasource: { uid: 'tempo' },
            query: expect.stringMatching(/^\{.*\}$/),
          });
      }
    }
  });
});

describe('PromQL of the dashboards and alert rules', () => {
  const queries = [
    ...promQueries(),
    ...alertRules().map((rule) => ({ dashboard: 'orderly.rules.yml', where: rule.alert, expr: rule.expr })),
  ];

  it('uses dashboard variables only inside regex matchers, where "All" (.*) keeps the query valid', () => {
    const misplaced = queries.filter((q) => variablesOutsideRegexMatchers(q.expr).length > 0);
    expect(misplaced).toEqual([]);
  });

  it('uses only the Orderly metrics declared in libs/observability, each as the kind it is', () => {
    const problems: string[] = [];
    for (const query of queries) {
      for (const series of metricNamesIn(query.expr)) {
        if (!/^(orderly_|http_server_)/.test(series)) continue;
        const metric = declaredMetricOf(series);
        if (!metric)
          problems.push(`${query.dashboard} ${query.where}: ${series} is not declared in OrderlyMetrics`);
        else if (
          metric.kind === 'counter' &&
          !query.where.startsWith('variable') &&
          !/\b(rate|increase)\(/.test(query.expr)
        ) {
          problems.push(
            `${query.dashboard} ${query.where}: counter ${series} is shown without rate() or increase()`,
          );
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('shows every declared Orderly metric on some dashboard', () => {
    const used = new Set(
      promQueries()
        .flatMap((q) => metricNamesIn(q.expr))
        .map((series) => declaredMetricOf(series)?.name)
        .filter(Boolean),
    );
    expect([...declared.keys()].filter((name) => !used.has(name))).toEqual([]);
  });
});

function linksOf(panels: DashboardPanel[]) {
  return panels.flatMap((p) => [...(p.links ?? []), ...(p.fieldConfig?.defaults?.links ?? [])]);
}

function overlapping(panels: DashboardPanel[]): string[] {
  const boxes = panels.map(
    (p) =>
      ({ title: p.title, ...p.gridPos }) as { title: string; x: number; y: number; w: number; h: number },
  );
  const overlaps: string[] = [];
  boxes.forEach((a, i) =>
    boxes.slice(i + 1).forEach((b) => {
      if (a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h)
        overlaps.push(`${a.title} / ${b.title}`);
    }),
  );
  return overlaps;
}
