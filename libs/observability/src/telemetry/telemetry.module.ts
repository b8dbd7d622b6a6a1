import { Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { activeTelemetry } from './start-telemetry';

@Injectable()
class TelemetryShutdown implements OnApplicationShutdown {
  // onApplicationShutdown runs after the HTTP server and the consumers closed, so the last spans have
  // ended; the process exits right after Nest's shutdown, so an unexported batch would be lost.
  async onApplicationShutdown(): Promise<void> {
    await activeTelemetry()?.shutdown();
  }
}

/** Flushes the spans of `startTelemetry` when the application shuts down. */
@Module({ providers: [TelemetryShutdown] })
export class TelemetryModule {}
