import './telemetry'; // first: instrumentation must load before http and pg
import { NestFactory } from '@nestjs/core';
import { loadConfigOrExit } from '@orderly/config';
import { AmqpServer } from '@orderly/messaging';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { PaymentServiceConfig } from './config/payment-service.config';

async function bootstrap(): Promise<void> {
  const settings = loadConfigOrExit(PaymentServiceConfig);
  const app = await NestFactory.create(AppModule, { bufferLogs: true, abortOnError: false });
  app.useLogger(app.get(Logger));
  app.connectMicroservice({ strategy: app.get(AmqpServer) }, { inheritAppConfig: true });
  app.enableShutdownHooks();
  await app.startAllMicroservices();
  await app.listen(settings.PORT);
}

bootstrap().catch((error: unknown) => {
  console.error('payment-service failed to start', error);
  process.exit(1);
});
