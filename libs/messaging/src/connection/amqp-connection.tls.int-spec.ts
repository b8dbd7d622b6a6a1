// AMQP over TLS against a real RabbitMQ node with a TLS listener that requires client certificates
// (mutual TLS). Certificates are made for this run with openssl; nothing is committed.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Controller, type INestApplication } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { createTestCertificates, startPrivateBroker, type PrivateBroker, type TestCertificates } from '@orderly/testing';
import { AmqpClient } from '../client/amqp-client';
import { MessageContext } from '../consumer/message-context';
import { Handles } from '../nest/handles.decorator';
import { Received, startTestService, TestBroker, waitFor } from '../test-support/messaging-test-bed';
import { parcel, ShipParcel, source, TestServices, TestTopology } from '../test-support/test-topology';
import { AmqpConnection } from './amqp-connection';

@Controller()
class ShippingHandlers {
  static readonly received = new Received();

  @Handles(ShipParcel)
  async ship(@Payload() command: ShipParcel, @Ctx() ctx: MessageContext): Promise<void> {
    ShippingHandlers.received.record(command, ctx);
  }
}

describe('AMQP over TLS (amqps://, mutual TLS)', () => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'orderly-tls-'));
  let certs: TestCertificates;
  let node: PrivateBroker;
  let broker: TestBroker;
  const connections: AmqpConnection[] = [];

  beforeAll(async () => {
    certs = await createTestCertificates(work);
    node = await startPrivateBroker({
      tls: { caFile: certs.caFile, certFile: certs.serverCertFile, keyFile: certs.serverKeyFile, requireClientCert: true },
    });
    broker = await TestBroker.create('messaging-tls');
    await broker.provision(TestTopology);
  }, 120_000);
  afterAll(async () => {
    await Promise.allSettled(connections.map((connection) => connection.close()));
    await broker?.dispose();
    await node?.stop();
    rmSync(work, { recursive: true, force: true });
  }, 60_000);

  const connectionTo = (tls: ConstructorParameters<typeof AmqpConnection>[0]['tls'], name: string) => {
    const connection = new AmqpConnection({ url: node.tlsUrl(broker.amqpUrl), connectionName: name, reconnectSeconds: 1, tls });
    connections.push(connection);
    return connection;
  };

  it('publishes and consumes over TLS, and the broker lists the connection as TLS with our client certificate', async () => {
    const app: INestApplication = await startTestService({
      broker,
      service: TestServices.shipping,
      topology: TestTopology,
      controllers: [ShippingHandlers],
      url: node.tlsUrl(broker.amqpUrl),
      tls: { caFile: certs.caFile, certFile: certs.clientCertFile, keyFile: certs.clientKeyFile },
    });
    try {
      const command = ShipParcel.create(parcel(1), source);
      await app.get(AmqpClient).publish(ShipParcel, command);
      await ShippingHandlers.received.waitForCount(1);
      expect(ShippingHandlers.received.ids()).toEqual([command.id]);

      // The management API lists a connection once its first statistics arrived (every few seconds).
      const listed = await waitFor(
        async () => {
          const all = await broker.vhost.api<Array<{ ssl: boolean; peer_cert_subject?: string }>>(
            'GET',
            `/vhosts/${encodeURIComponent(broker.vhost.vhost)}/connections`,
          );
          const tls = all.filter((connection) => connection.ssl);
          return tls.length > 0 && tls;
        },
        { timeoutMs: 20_000, what: 'the connection in the management API' },
      );
      // The service's one connection; the test bed's own administrator connection is plain amqp://.
      expect(listed.map((connection) => connection.peer_cert_subject)).toEqual(['CN=orderly-test-client']);
    } finally {
      await app.close();
    }
  });

  it('refuses a broker whose certificate the configured CA did not sign, saying so', async () => {
    const connection = connectionTo({ caFile: certs.otherCaFile, certFile: certs.clientCertFile, keyFile: certs.clientKeyFile }, 'wrong-ca');
    const reason = await waitFor(() => connection.disconnectReason?.includes('TLS') && connection.disconnectReason, {
      what: 'a TLS failure',
    });
    expect(reason).toMatch(/^TLS: the broker's certificate is not trusted by the configured CA \(tls\.caFile\) — SELF_SIGNED_CERT_IN_CHAIN/);
    expect(connection.isConnected()).toBe(false);
  });

  it('is refused by a broker that requires a client certificate when none is given', async () => {
    const connection = connectionTo({ caFile: certs.caFile }, 'no-client-cert');
    const reason = await waitFor(() => connection.disconnectReason !== 'not connected yet' && connection.disconnectReason, {
      what: 'a refusal',
    });
    expect(reason).toMatch(/certificate/i);
    expect(connection.isConnected()).toBe(false);
  });

  it('refuses TLS files with a plain amqp:// url instead of connecting unencrypted', () => {
    expect(() => new AmqpConnection({ url: broker.amqpUrl, connectionName: 'plain', tls: { caFile: certs.caFile } })).toThrow(
      /tls\.caFile is set but the url is amqp:\/\/: use amqps:\/\//,
    );
  });

  it('names the option and the path of a TLS file it cannot read', () => {
    const missing = path.join(work, 'missing.pem');
    expect(() => new AmqpConnection({ url: node.tlsUrl(broker.amqpUrl), connectionName: 'missing', tls: { caFile: missing } })).toThrow(
      `messaging option tls.caFile: cannot read ${missing} (ENOENT)`,
    );
  });
});
