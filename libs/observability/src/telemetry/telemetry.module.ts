import { Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { HttpRouteInterceptor } from './http-route.interceptor';
import { activeTelemetry } from './start-telemetry';

@Injectable()
class TelemetryShutdown implements OnApplicationShutdown {
  // onApplicationShutdown runs after the HTTP server and the consumers closed, so the last spans have
  // ended; the process exits right after Nest's shutdown, so an unexported batch would be lost.
  async onApplicationShutdown(): Promise<void> {
    await activeTelemetry()?.shutdown();
  }
}

/**
 * Names HTTP server spans after their route (`HttpRouteInterceptor`), and flushes the spans of
 * `startTelemetry` when the application shuts down.
 */
@Module({ providers: [TelemetryShutdown, { provide: APP_INTERCEPTOR, useClass: HttpRouteInterceptor }] })
export class TelemetryModule {}
