import { type DynamicModule, Module } from '@nestjs/common';
import type { AppConfig } from './define-config';

@Module({})
export class ConfigModule {
  /**
   * Provides the typed settings under `config.KEY` to the whole app. Validation runs when Nest builds
   * the module graph, before any connection opens; main.ts calls `loadConfigOrExit` first so that a
   * bad setting reads as a message, not a stack trace.
   */
  static forApp<C extends AppConfig<any>>(config: C, env: Record<string, string | undefined> = process.env): DynamicModule {
    return {
      module: ConfigModule,
      global: true,
      providers: [{ provide: config.KEY, useFactory: () => config.parse(env) }],
      exports: [config.KEY],
    };
  }
}
