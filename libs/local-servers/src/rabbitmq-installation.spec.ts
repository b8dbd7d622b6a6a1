import os from 'node:os';
import { RabbitMqNotInstalledError } from './errors/rabbitmq-not-installed.error';
import { findRabbitMq } from './rabbitmq-installation';

describe('findRabbitMq', () => {
  it('says how to install RabbitMQ on Debian, macOS or with Docker when rabbitmq-server is missing', () => {
    let thrown: unknown;
    try {
      findRabbitMq(os.tmpdir());
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(RabbitMqNotInstalledError);
    const message = (thrown as Error).message;
    expect(message).toContain('sudo apt-get install rabbitmq-server');
    expect(message).toContain('brew install rabbitmq');
    expect(message).toContain('docker compose up broker');
    expect((thrown as RabbitMqNotInstalledError).code).toBe('LOCAL_SERVERS.RABBITMQ_NOT_INSTALLED');
  });
});
