import type { Tree } from '@nx/devkit';
import { read } from './markers';
import type { ServiceNames } from './names';

export const PrometheusConfig = 'grafana/prometheus/prometheus.yml';

/**
 * Adds `<service>:<port>` to the `orderly-services` job. The dashboards select by the `service` label
 * that job's relabelling derives from the host name, so they show the new service with no edit.
 */
export function addPrometheusTarget(tree: Tree, names: ServiceNames, port: number): void {
  const text = read(tree, PrometheusConfig);
  const lines = text.split('\n');
  const job = lines.findIndex((line) => /^\s+- job_name: orderly-services\s*$/.test(line));
  if (job < 0) throw new Error(`${PrometheusConfig}: no orderly-services job`);
  let last = -1;
  for (let i = job + 1; i < lines.length && !/^\s+- job_name:/.test(lines[i]); i++) {
    if (/^\s+- [a-z0-9-]+-service:\d+\s*$/.test(lines[i])) last = i;
  }
  if (last < 0) throw new Error(`${PrometheusConfig}: the orderly-services job lists no service target`);
  const indent = /^(\s+)/.exec(lines[last])?.[1] ?? '';
  lines.splice(last + 1, 0, `${indent}- ${names.service}:${port}`);
  tree.write(PrometheusConfig, lines.join('\n'));
}
