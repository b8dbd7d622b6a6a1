import {
  AuthorisePayment,
  CapturePayment,
  Exchanges,
  OrderConfirmed,
  PaymentCaptured,
  ReserveStock,
  type ServiceName,
  StockReserved,
} from '@orderly/contracts';
import type { BrokerControl, FaultProxy, PrivatePostgres, TestCluster, TestStack } from '@orderly/testing';
import type { BrokerOperator } from './broker-operator';
import type { FaultDatabases, ServiceKey } from './fault-databases';

/** What a fault can act on. The private servers exist in the long form only. */
export interface FaultWorld {
  stack: TestStack;
  /** Between every service and the broker (in front of every node of the cluster, in the cluster form). */
  proxy: FaultProxy;
  operator: BrokerOperator;
  db: FaultDatabases;
  /** The test file's own broker node (stop/start). */
  broker?: BrokerControl;
  /** The test file's own PostgreSQL server (restart). */
  postgres?: PrivatePostgres;
  /** The test file's own 3-node cluster, which the services use instead of the run's broker (cluster form). */
  cluster?: TestCluster;
  /** Message ids of the poison messages injected: each must end in a DLQ, and nothing else may. */
  poisonIds: string[];
}

export interface Fault {
  name: string;
  /** The broker is unreachable for a while: the table reports each service's memory before, during, after. */
  outage?: boolean;
  /** Injects the fault and returns once it is over (a killed service is ready again); says what it did. */
  inject(world: FaultWorld): Promise<string>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * kill -9 of a service while sagas are in flight, then the same service started again. No shutdown
 * hook runs: a handler mid-transaction is rolled back, unacked deliveries are redelivered, and the
 * outbox relay may die between the broker's confirm and marking its rows sent (they are published
 * again after the restart, and the consumers' inboxes absorb the copies). Killing order-service kills
 * the orchestrator mid-transition.
 */
export const killAndRestart = (service: ServiceName): Fault => ({
  name: `kill -9 ${service}, restart`,
  async inject({ stack }) {
    const exit = await stack.fleet.kill(service, 'SIGKILL');
    const started = Date.now();
    await stack.fleet.restart(service);
    return `exit ${exit.signal ?? exit.code}; ready again after ${((Date.now() - started) / 1000).toFixed(1)} s`;
  },
});

/** An operator (or a broker under pressure) closes every connection of the services. */
export const closeConnections: Fault = {
  name: 'connections closed by the broker',
  async inject({ operator, stack }) {
    // One connection per service: wait until each is back (an earlier fault may have just reset them).
    const closed = await operator.closeConnections(stack.fleet.services.length);
    if (closed === 0) throw new Error('no connection to close: the fault would inject nothing');
    return `${closed} connections closed (management API)`;
  },
};

/** A network reset (RST both ways) of every service's broker connection. */
export const proxyReset: Fault = {
  name: 'TCP reset of broker connections',
  async inject({ proxy }) {
    const reset = proxy.resetAll();
    if (reset === 0) throw new Error('no connection through the proxy: the fault would inject nothing');
    return `${reset} connections reset (proxy)`;
  },
};

/** A partition: connections stay open, every byte is dropped both ways; afterwards they are reset. */
export const proxyBlackHole = (ms: number): Fault => ({
  name: `black hole ${ms / 1000} s`,
  outage: true,
  async inject({ proxy }) {
    proxy.blackHole();
    await sleep(ms);
    const dropped = proxy.droppedBytes;
    proxy.pass();
    return `${dropped} bytes dropped in all so far (proxy)`;
  },
});

/** A slow network between the services and the broker. */
export const proxyLatency = (latencyMs: number, forMs: number): Fault => ({
  name: `latency ${latencyMs} ms for ${forMs / 1000} s`,
  async inject({ proxy }) {
    proxy.setLatency(latencyMs);
    await sleep(forMs);
    proxy.setLatency(0);
    return `each chunk held ${latencyMs} ms each way (proxy)`;
  },
});

/** rabbitmqctl stop_app / start_app on the test file's own node: every connection drops, queues survive. */
export const brokerRestart = (downMs: number): Fault => ({
  name: `broker stopped ${downMs / 1000} s`,
  outage: true,
  async inject({ broker }) {
    if (!broker) throw new Error('broker restart needs the private broker (long form)');
    const started = Date.now();
    await broker.restart({ downMs });
    return `stop_app, ${downMs / 1000} s down, start_app; back after ${((Date.now() - started) / 1000).toFixed(1)} s`;
  },
});

/** Fast shutdown of the test file's own PostgreSQL (every session ends), then the same server again. */
export const postgresRestart = (downMs: number): Fault => ({
  name: `PostgreSQL stopped ${downMs / 1000} s`,
  async inject({ postgres }) {
    if (!postgres) throw new Error('PostgreSQL restart needs the private server (long form)');
    const started = Date.now();
    await postgres.restart({ downMs });
    return `fast shutdown, ${downMs / 1000} s down, start; back after ${((Date.now() - started) / 1000).toFixed(1)} s`;
  },
});

/**
 * Messages already delivered and handled, published again with the same message id and attributes
 * (what a redelivery after a lost ack, or a relay that published twice, looks like to a consumer): a
 * command to each participant, a reply to the orchestrator and an event to notification-service.
 */
export const duplicateDeliveries: Fault = {
  name: 'duplicate deliveries',
  async inject({ db, operator }) {
    const picks: Array<[ServiceKey, string]> = [
      ['order', ReserveStock.type],
      ['order', CapturePayment.type],
      ['order', OrderConfirmed.type],
      ['inventory', StockReserved.type],
      ['payment', PaymentCaptured.type],
    ];
    for (const [service, type] of picks) {
      const sent = await db.lastSent(service, type);
      if (!sent) throw new Error(`no ${type} published by ${service} yet: nothing to duplicate`);
      await operator.republish(sent);
    }
    return `${picks.length} messages re-published with their ids`;
  },
};

/**
 * Messages no handler can ever accept, one per work queue: a body that is not JSON, an unknown type,
 * data that breaks the contract's schema, and no CloudEvents attributes at all. Each must be parked in
 * its queue's DLQ at once (not retried), and the consumer must go on with the next message.
 */
export const poisonMessages: Fault = {
  name: 'poison messages',
  async inject({ operator, poisonIds }) {
    const id = (what: string) => {
      const messageId = `poison-${what}-${poisonIds.length}`;
      poisonIds.push(messageId);
      return messageId;
    };
    const envelope = (messageId: string, type: string) => ({
      'cloudEvents:specversion': '1.0',
      'cloudEvents:id': messageId,
      'cloudEvents:type': type,
      'cloudEvents:source': '/orderly/fault-suite',
      'cloudEvents:time': new Date().toISOString(),
      'cloudEvents:schemaversion': 1,
      'correlation-id': messageId,
    });
    const notJson = id('not-json');
    await operator.publish({
      exchange: Exchanges.inventoryCommands,
      routingKey: ReserveStock.type,
      messageId: notJson,
      headers: envelope(notJson, ReserveStock.type),
      payload: '{"orderId": "not even closed',
    });
    const unknown = id('unknown-type');
    await operator.publish({
      exchange: Exchanges.paymentCommands,
      routingKey: AuthorisePayment.type,
      messageId: unknown,
      headers: envelope(unknown, 'payment.refund-everything'),
      payload: '{}',
    });
    const broken = id('schema');
    await operator.publish({
      exchange: Exchanges.orderReplies,
      routingKey: StockReserved.type,
      messageId: broken,
      headers: envelope(broken, StockReserved.type),
      payload: JSON.stringify({ orderId: 'not-a-uuid', lines: 'many' }),
    });
    const bare = id('no-attributes');
    await operator.publish({
      exchange: Exchanges.orderEvents,
      routingKey: OrderConfirmed.type,
      messageId: bare,
      headers: {},
      payload: '{}',
    });
    return '4 messages: not JSON, unknown type, schema broken, no attributes';
  },
};
