import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The repository's grafana/ folder. */
export const grafanaDir = path.resolve(__dirname, '../../../grafana');
export const dashboardsDir = path.join(grafanaDir, 'dashboards');
export const prometheusDir = path.join(grafanaDir, 'prometheus');

export interface DatasourceRef {
  type?: string;
  uid?: string;
}

export interface DashboardTarget {
  refId?: string;
  datasource?: DatasourceRef;
  expr?: string;
  query?: string;
  queryType?: string;
}

export interface DashboardPanel {
  id?: number;
  type?: string;
  title?: string;
  description?: string;
  datasource?: DatasourceRef;
  gridPos?: { h?: number; w?: number; x?: number; y?: number };
  targets?: DashboardTarget[];
  panels?: DashboardPanel[];
  links?: Array<{ title?: string; url?: string }>;
  fieldConfig?: { defaults?: { links?: Array<{ title?: string; url?: string }> } };
}

export interface DashboardVariable {
  name?: string;
  type?: string;
  datasource?: DatasourceRef;
  query?: string | { query?: string };
  definition?: string;
}

export interface Dashboard {
  uid?: string;
  title?: string;
  schemaVersion?: number;
  panels?: DashboardPanel[];
  templating?: { list?: DashboardVariable[] };
  time?: { from?: string; to?: string };
  tags?: string[];
}

export function dashboardFiles(): string[] {
  return readdirSync(dashboardsDir)
    .filter((file) => file.endsWith('.json'))
    .sort();
}

export function readDashboard(file: string): Dashboard {
  return JSON.parse(readFileSync(path.join(dashboardsDir, file), 'utf8')) as Dashboard;
}

/** Every panel, rows' nested panels included. */
export function panelsOf(dashboard: Dashboard): DashboardPanel[] {
  return (dashboard.panels ?? []).flatMap((panel) => [panel, ...(panel.panels ?? [])]);
}

/** One PromQL query of a dashboard: a panel target or a variable's query. */
export interface PromQuery {
  dashboard: string;
  where: string;
  expr: string;
}

/** Every Prometheus query of every dashboard, as written (with Grafana variables). */
export function promQueries(): PromQuery[] {
  const queries: PromQuery[] = [];
  for (const file of dashboardFiles()) {
    const dashboard = readDashboard(file);
    for (const panel of panelsOf(dashboard)) {
      for (const target of panel.targets ?? []) {
        const datasource = target.datasource ?? panel.datasource;
        if (datasource?.type === 'prometheus' && target.expr) {
          queries.push({
            dashboard: file,
            where: `panel "${panel.title}" ${target.refId}`,
            expr: target.expr,
          });
        }
      }
    }
    for (const variable of dashboard.templating?.list ?? []) {
      const query = typeof variable.query === 'string' ? variable.query : variable.query?.query;
      const labelValues = query && /^label_values\((.+),\s*[a-zA-Z_]+\)$/.exec(query.trim());
      if (variable.datasource?.type === 'prometheus' && labelValues) {
        queries.push({ dashboard: file, where: `variable $${variable.name}`, expr: labelValues[1] });
      }
    }
  }
  return queries;
}

/** Grafana's built-in interval variables, replaced by what they stand for over a short test run. */
const BUILT_IN_VARIABLES: Record<string, string> = {
  __rate_interval: '15s',
  __interval: '5s',
  __range: '1m',
};

/**
 * The query as Grafana would send it with every multi-value variable at "All" (`.*`). A dashboard
 * variable is only valid inside a regex matcher (`=~"$queue"`), which `.*` keeps valid.
 */
export function withVariablesResolved(expr: string): string {
  return expr.replace(
    /\$\{?([a-zA-Z_][a-zA-Z0-9_]*)(?::[a-z]+)?\}?/g,
    (_match, name: string) => BUILT_IN_VARIABLES[name] ?? '.*',
  );
}

/** Dashboard variables used outside a regex matcher (where `.*` or a multi-value list would break). */
export function variablesOutsideRegexMatchers(expr: string): string[] {
  const withoutMatchers = expr.replace(/=~"[^"]*"/g, '=~""');
  return [...withoutMatchers.matchAll(/\$\{?([a-zA-Z_][a-zA-Z0-9_]*)/g)]
    .map((m) => m[1])
    .filter((name) => !(name in BUILT_IN_VARIABLES));
}

/** Metric names a PromQL expression uses (words followed by `{`, `[` or standing alone as a selector). */
export function metricNamesIn(expr: string): string[] {
  const withoutStrings = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""').replace(/\$\{?\w+(?::\w+)?\}?/g, '');
  const names = new Set<string>();
  for (const match of withoutStrings.matchAll(/\b([a-zA-Z_:][a-zA-Z0-9_:]*)\b(?!\s*\()/g)) {
    const word = match[1];
    if (PROMQL_WORDS.has(word) || /^\d/.test(word)) continue;
    // Label names inside by(...)/without(...) and matchers are not metrics.
    const before = withoutStrings.slice(0, match.index);
    if (/(by|without|on|ignoring|group_left|group_right)\s*\([^)]*$/.test(before)) continue;
    if (/\{[^}]*$/.test(before)) continue;
    names.add(word);
  }
  return [...names];
}

const PROMQL_WORDS = new Set([
  // Aggregations may be followed by `by (…)` before their parenthesis.
  ...[
    'sum',
    'avg',
    'min',
    'max',
    'count',
    'group',
    'stddev',
    'stdvar',
    'topk',
    'bottomk',
    'quantile',
    'count_values',
  ],
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'le',
  'inf',
  'nan',
]);

/**
 * The datasource uids provisioned in grafana/provisioning/datasources/*.yaml. The files are read as the
 * flat list of `- name:` entries we write (every entry must carry `uid:` and `type:` at its own level).
 */
export function provisionedDatasources(): Array<{ name: string; uid: string; type: string }> {
  const dir = path.join(grafanaDir, 'provisioning/datasources');
  const found: Array<{ name: string; uid: string; type: string }> = [];
  for (const file of readdirSync(dir).filter((f) => /\.ya?ml$/.test(f))) {
    const text = readFileSync(path.join(dir, file), 'utf8');
    const entries = text.split(/^ {2}- name: /m).slice(1);
    for (const entry of entries) {
      const name = entry.split('\n')[0].trim();
      const field = (key: string) => new RegExp(`^ {4}${key}: *(\\S+)`, 'm').exec(entry)?.[1];
      const uid = field('uid');
      const type = field('type');
      if (!uid || !type)
        throw new Error(`datasource "${name}" in ${file} has no uid or type at its top level`);
      found.push({ name, uid, type });
    }
  }
  return found;
}

export const rulesFile = path.join(prometheusDir, 'rules/orderly.rules.yml');
export const rulesTestFile = path.join(prometheusDir, 'rules/orderly.rules.test.yml');

export interface AlertRule {
  alert: string;
  expr: string;
}

/** The alerts of orderly.rules.yml with their expressions (`expr:` on one line or as a `|` block). */
export function alertRules(): AlertRule[] {
  const lines = readFileSync(rulesFile, 'utf8').split('\n');
  const rules: AlertRule[] = [];
  for (let i = 0; i < lines.length; i += 1) {
    const alert = /^\s*- alert: (\S+)/.exec(lines[i]);
    if (alert) rules.push({ alert: alert[1], expr: '' });
    const expr = /^(\s*)expr: (.*)$/.exec(lines[i]);
    if (!expr || rules.length === 0) continue;
    if (expr[2].trim() !== '|') {
      rules[rules.length - 1].expr = expr[2].trim();
      continue;
    }
    const block: string[] = [];
    while (i + 1 < lines.length && lines[i + 1].startsWith(`${expr[1]}  `))
      block.push(lines[(i += 1)].trim());
    rules[rules.length - 1].expr = block.join(' ');
  }
  return rules;
}

/**
 * For each alert, whether orderly.rules.test.yml has a case expecting it to fire and one expecting
 * silence (`exp_alerts: []`), read from the `alertname:` / `exp_alerts:` lines of its alert_rule_test.
 */
export function alertTestCoverage(): Map<string, { fires: number; quiet: number }> {
  const lines = readFileSync(rulesTestFile, 'utf8').split('\n');
  const coverage = new Map<string, { fires: number; quiet: number }>();
  lines.forEach((line, i) => {
    const name = /^\s*alertname: (\S+)/.exec(line)?.[1];
    if (!name) return;
    const expectation = lines.slice(i + 1).find((next) => /^\s*exp_alerts:/.test(next)) ?? '';
    const entry = coverage.get(name) ?? { fires: 0, quiet: 0 };
    if (/exp_alerts: \[\]\s*$/.test(expectation)) entry.quiet += 1;
    else entry.fires += 1;
    coverage.set(name, entry);
  });
  return coverage;
}
