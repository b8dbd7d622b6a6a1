import {
  type DynamicModule,
  type MiddlewareConsumer,
  Module,
  type NestModule,
  RequestMethod,
} from '@nestjs/common';
import { httpMetricsMiddleware } from './http-metrics.middleware';
import { MetricsController } from './metrics.controller';
import { metricsRegistry, startDefaultMetrics } from './metrics-registry';

export interface MetricsOptions {
  /** Added to every series as `service` (the same name as in log lines and spans). */
  serviceName: string;
}

/**
 * `/metrics` in Prometheus format: Node.js process metrics, HTTP RED metrics of every request, and
 * whatever the libraries record on the shared registry (messaging, outbox, saga).
 */
@Module({})
export class MetricsModule implements NestModule {
  static forRoot(options: MetricsOptions): DynamicModule {
    metricsRegistry.setDefaultLabels({ service: options.serviceName });
    startDefaultMetrics();
    return { module: MetricsModule, controllers: [MetricsController] };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(httpMetricsMiddleware()).forRoutes({ path: '*path', method: RequestMethod.ALL });
  }
}
