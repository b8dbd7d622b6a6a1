import { metricNamesIn, variablesOutsideRegexMatchers, withVariablesResolved } from './grafana-files';

describe('reading PromQL of dashboards', () => {
  const expr =
    'histogram_quantile(0.99, sum by (le, queue) (rate(orderly_messaging_handler_duration_seconds_bucket{queue=~"$queue", reason="x_total"}[$__rate_interval]))) / on (queue) group_left rabbitmq_detailed_queue_messages > 0.8 * up';

  it('finds the metric names, not functions, labels, variables or strings', () => {
    expect(metricNamesIn(expr).sort()).toEqual([
      'orderly_messaging_handler_duration_seconds_bucket',
      'rabbitmq_detailed_queue_messages',
      'up',
    ]);
  });

  it('resolves variables as Grafana sends them with "All" selected', () => {
    expect(withVariablesResolved('rate(x{queue=~"$queue", saga=~"${saga:regex}"}[$__rate_interval])')).toBe(
      'rate(x{queue=~".*", saga=~".*"}[15s])',
    );
  });

  it('spots a variable outside a regex matcher', () => {
    expect(variablesOutsideRegexMatchers('x{queue="$queue"} > $threshold')).toEqual(['queue', 'threshold']);
    expect(variablesOutsideRegexMatchers('rate(x{queue=~"$queue"}[$__rate_interval])')).toEqual([]);
  });
});
