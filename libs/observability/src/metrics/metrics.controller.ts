import { Controller, Get, Header } from '@nestjs/common';
import { Registry } from 'prom-client';
import { metricsRegistry } from './metrics-registry';

@Controller('metrics')
export class MetricsController {
  /** Prometheus text format of everything on the shared registry. */
  @Get()
  @Header('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE)
  @Header('Cache-Control', 'no-store')
  metrics(): Promise<string> {
    return metricsRegistry.metrics();
  }
}
