import './telemetry'; // first: instrumentation must load before http and pg
import { NestFactory } from '@nestjs/core';
import { loadConfigOrExit } from '@orderly/config';
import { AmqpServer } from '@orderly/messaging';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { OrderServiceConfig } from './config/order-service.config';
import { setupOpenApi } from './openapi';

async function bootstrap(): Promise<void> {
  const settings = loadConfigOrExit(OrderServiceConfig);
  const app = await NestFactory.create(AppModule, { bufferLogs: true, abortOnError: false });
  app.useLogger(app.get(Logger));
  app.connectMicroservice({ strategy: app.get(AmqpServer) }, { inheritAppConfig: true });
  setupOpenApi(app);
  app.enableShutdownHooks();
  await app.startAllMicroservices();
  await app.listen(settings.PORT);
}

bootstrap().catch((error: unknown) => {
  console.error('order-service failed to start', error);
  process.exit(1);
});
