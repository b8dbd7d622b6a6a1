import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { MessagingModuleOptions } from '../messaging-options';

/**
 * `MessagingModule.forRoot(options)` / `forRootAsync({ imports, inject, useFactory })`, built by Nest's
 * ConfigurableModuleBuilder. Global by default: one broker connection per process, used everywhere.
 */
export const {
  ConfigurableModuleClass: ConfigurableMessagingModule,
  MODULE_OPTIONS_TOKEN: MESSAGING_MODULE_OPTIONS,
  OPTIONS_TYPE: MESSAGING_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: MESSAGING_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<MessagingModuleOptions>({ moduleName: 'Messaging' })
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: true }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();
