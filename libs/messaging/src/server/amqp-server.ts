import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { type CustomTransportStrategy, Server } from '@nestjs/microservices';
import {
  deadLetterQueueOf,
  type Message,
  type MessageContract,
  type ServiceTopology,
  topologyOf,
} from '@orderly/contracts';
import type { AmqpConnectionManager } from 'amqp-connection-manager';
import type { ConsumeMessage } from 'amqplib';
import { lastValueFrom } from 'rxjs';
import { AmqpConnection } from '../connection/amqp-connection';
import type { ConsumerChannel } from '../consumer/consumer-channel';
import { classifyFailure, type HandlingFailure } from '../consumer/handling-failure';
import { MessageContext } from '../consumer/message-context';
import { checkMessageSize } from '../consumer/message-size';
import { attemptOf } from '../consumer/dead-letter-parker';
import { QueueConsumer } from '../consumer/queue-consumer';
import { type FailureResult, RetryLadder } from '../consumer/retry-ladder';
import { CloudEventsHeaders, decodeMessage } from '../envelope/cloud-events-binding';
import { InvalidMessageError } from '../errors/non-retryable-message.error';
import { type DeliveryInfo, type HandlingOutcome, MESSAGING_HOOKS, type MessagingHooks } from '../messaging-hooks';
import { MESSAGING_OPTIONS, type ResolvedMessagingOptions } from '../messaging-options';
import { ConfirmedPublisher } from '../publisher/confirmed-publisher';
import { telemetryHooks } from '../telemetry/telemetry-hooks';
import { TopologyAsserter } from '../topology/topology-asserter';
import { AMQP_TRANSPORT, HANDLED_CONTRACT } from './amqp-transport';

type State = 'idle' | 'listening' | 'closing' | 'closed';

/**
 * The Orderly AMQP transport, a Nest `CustomTransportStrategy`:
 *
 * ```ts
 * app.connectMicroservice({ strategy: app.get(AmqpServer) }, { inheritAppConfig: true });
 * await app.startAllMicroservices();
 * ```
 *
 * It asserts the service's part of the topology, consumes the service's work queues with a prefetch per
 * queue, dispatches each delivery by its CloudEvents type to the `@Handles` method of that contract after
 * validating it, and acknowledges it only after the handler's promise resolved. A failed delivery goes
 * up its queue's retry ladder (a delay tier, then the DLQ with the reason; RetryLadder). Topology and consumers are restored after
 * every reconnect; `close()` drains running handlers before closing.
 */
@Injectable()
export class AmqpServer extends Server implements CustomTransportStrategy {
  override readonly transportId = AMQP_TRANSPORT;
  protected override readonly logger = new Logger(AmqpServer.name);
  private readonly topology: ServiceTopology;
  private readonly asserter: TopologyAsserter;
  private readonly consumers: QueueConsumer[];
  private readonly parkingPublisher: ConfirmedPublisher;
  private readonly ladder: RetryLadder;
  private contracts = new Map<string, MessageContract>();
  private state: State = 'idle';
  private closing?: Promise<void>;
  /** Resumptions run one after another, so a reconnect during a resumption cannot interleave with it. */
  private resuming: Promise<void> = Promise.resolve();
  private topologyProblem?: string;
  private topologyRetryTimer?: NodeJS.Timeout;
  /** True during `listen()`'s own first resumption: `connect` events then must not start a second one. */
  private starting = false;

  constructor(
    @Inject(AmqpConnection) private readonly connection: AmqpConnection,
    @Inject(MESSAGING_OPTIONS) private readonly options: ResolvedMessagingOptions,
    // Without a MESSAGING_HOOKS provider, every service traces and counts its messages.
    @Optional() @Inject(MESSAGING_HOOKS) private readonly hooks: MessagingHooks = telemetryHooks(),
  ) {
    super();
    this.topology = topologyOf(options.topology, options.service);
    this.asserter = new TopologyAsserter(connection, this.topology);
    this.consumers = this.topology.queues
      .filter((queue) => queue.kind === 'work')
      .map(
        (queue) =>
          new QueueConsumer(queue, connection, this.asserter, (delivery, channel) => this.handleDelivery(delivery, channel), {
            prefetch: options.prefetchByQueue[queue.name] ?? options.prefetch,
            channelReopenDelayMs: options.channelReopenDelayMs,
          }),
      );
    const maxInFlight = this.consumers.reduce((sum, consumer) => sum + (options.prefetchByQueue[consumer.queue.name] ?? options.prefetch), 0);
    // At most one retry or park per delivery in flight, so this publisher never runs out of slots.
    this.parkingPublisher = new ConfirmedPublisher(
      connection,
      { maxInFlight: Math.max(1, maxInFlight), backpressureTimeoutMs: options.confirmTimeoutMs, confirmTimeoutMs: options.confirmTimeoutMs },
      {},
      `${options.service} retries and dead letters`,
    );
    this.ladder = new RetryLadder(this.parkingPublisher, options.service, {
      maxErrorBytes: options.maxErrorHeaderBytes,
      jitter: options.retryJitter,
    });
  }

  /** Called by Nest (`startAllMicroservices`) once the `@Handles` methods are registered. */
  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      await this.start();
      callback();
    } catch (error) {
      callback(error);
    }
  }

  /** Graceful shutdown: stop consuming, let running handlers finish (with a deadline), close. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  /** Why the service should not take traffic, or undefined when it consumes all its queues. */
  get notReadyReason(): string | undefined {
    if (this.state !== 'listening') return undefined;
    if (this.topologyProblem) return this.topologyProblem;
    const idle = this.consumers.filter((consumer) => !consumer.isConsuming).map((consumer) => consumer.queue.name);
    return idle.length > 0 ? `not consuming ${idle.join(', ')}` : undefined;
  }

  /** Handlers running right now, over all queues. */
  get inFlight(): number {
    return this.consumers.reduce((sum, consumer) => sum + consumer.inFlight, 0);
  }

  /** Listens to the connection's events (`connect`, `disconnect`, `blocked`, …), like Nest's ServerRMQ. */
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- Nest's Server declares it so
  on<EventKey extends string = string, EventCallback extends Function = Function>(event: EventKey, callback: EventCallback): void {
    this.connection.manager.on(event, callback as unknown as (...args: unknown[]) => void);
  }

  unwrap<T = AmqpConnectionManager>(): T {
    return this.connection.manager as T;
  }

  private async start(): Promise<void> {
    if (this.state !== 'idle') throw new Error(`AmqpServer cannot listen: it is ${this.state}`);
    this.contracts = this.collectContracts();
    this.state = 'listening';
    this.starting = true;
    this.connection.manager.on('connect', this.onConnect);
    this.connection.manager.on('disconnect', this.onDisconnect);
    try {
      if (await this.connection.waitForConnection(this.options.startupConnectTimeoutMs)) {
        this._status$.next('connected');
        await this.resume(true);
      } else {
        this.logger.warn(
          `broker unreachable after ${this.options.startupConnectTimeoutMs} ms: ${this.options.service} starts without it ` +
            `and consumes once it is reachable (${this.connection.disconnectReason})`,
        );
      }
    } catch (error) {
      await this.close();
      throw error;
    } finally {
      this.starting = false;
    }
    // A `connect` while we started was ignored (the connection dropped and came back, or came up late).
    if (this.connection.isConnected() && this.notReadyReason) void this.resume(false);
  }

  private readonly onConnect = (): void => {
    this._status$.next('connected');
    if (!this.starting) void this.resume(false);
  };

  private readonly onDisconnect = (): void => {
    this._status$.next('disconnected');
  };

  /** Asserts the topology, then (re)starts every consumer. At startup (`failFast`) a failure is thrown. */
  private resume(failFast: boolean): Promise<void> {
    const run = this.resuming.then(async () => {
      clearTimeout(this.topologyRetryTimer);
      if (this.state !== 'listening' || !this.connection.isConnected()) return;
      try {
        const { unavailableDeadLetterQueues } = await this.asserter.assertAll();
        this.topologyProblem = undefined;
        if (unavailableDeadLetterQueues.length > 0) {
          this.logger.warn(
            `dead-letter queues unavailable (their cluster node is down): ${unavailableDeadLetterQueues.join(', ')}; ` +
              'consuming anyway: a message to park stays in its work queue until they are back',
          );
        }
      } catch (error) {
        if (!this.connection.isConnected()) return; // lost the connection meanwhile: the next `connect` resumes
        this.topologyProblem = messageOf(error);
        if (failFast) throw error;
        this.logger.error(`${this.topologyProblem}\nretrying in ${this.options.topologyRetryDelayMs} ms`);
        this.topologyRetryTimer = setTimeout(() => void this.resume(false), this.options.topologyRetryDelayMs);
        return;
      }
      const results = await Promise.allSettled(this.consumers.map((consumer) => consumer.start()));
      const failures = results.flatMap((result, i) =>
        result.status === 'rejected' ? [`${this.consumers[i].queue.name}: ${messageOf(result.reason)}`] : [],
      );
      if (failures.length === 0) return;
      if (failFast && this.connection.isConnected()) throw new Error(`cannot consume ${failures.join('; ')}`);
      // A consumer whose channel the broker closed re-opens itself; after a lost connection, `connect` resumes.
      this.logger.warn(`cannot consume yet: ${failures.join('; ')}`);
    });
    this.resuming = run.catch(() => undefined);
    return run;
  }

  /** One delivery, from decoding to its acknowledgement or its parking in the DLQ. Never throws. */
  private async handleDelivery(delivery: ConsumeMessage, channel: ConsumerChannel): Promise<void> {
    let message: Message;
    try {
      checkMessageSize(delivery, this.options.maxMessageBytes);
      message = decodeMessage(delivery, this.contracts);
    } catch (error) {
      return this.handleFailure(delivery, channel, error);
    }
    const handle = async (): Promise<HandlingOutcome> => {
      const started = performance.now();
      try {
        await this.invokeHandler(message, delivery, channel.queue);
      } catch (error) {
        const handlerSeconds = (performance.now() - started) / 1000;
        await this.handleFailure(delivery, channel, error);
        return { error, handlerSeconds };
      }
      const handlerSeconds = (performance.now() - started) / 1000;
      channel.ack(delivery);
      return { handlerSeconds };
    };
    try {
      if (!this.hooks.aroundConsume) await handle();
      else await this.hooks.aroundConsume(message, deliveryInfo(delivery, channel.queue), handle);
    } catch (error) {
      // The hook itself failed; if it did so before our handling settled the delivery, that is a failure too.
      if (channel.isOpen && !channel.isSettled(delivery)) return this.handleFailure(delivery, channel, error);
      this.logger.error(`aroundConsume hook failed for message ${message.id}: ${messageOf(error)}`);
    }
  }

  private async invokeHandler(message: Message, delivery: ConsumeMessage, queue: string): Promise<void> {
    // Our patterns are plain type strings: no need for Nest's JSON pattern parsing on every delivery.
    const handler = this.getHandlers().get(message.type);
    if (!handler) throw new InvalidMessageError(`no handler for message type "${message.type}"`, { type: message.type });
    const result: unknown = await handler(message, new MessageContext([message, delivery, queue]));
    // Nest returns an Observable (interceptors, several handlers of one event): it completes when all are done.
    await lastValueFrom(this.transformToObservable(result), { defaultValue: undefined });
  }

  /**
   * Sends the failed delivery up its queue's retry ladder — a delay tier, or the DLQ when it is not
   * retryable or its attempts are used up — and acks the original once the broker confirmed the copy.
   * If no copy could be published, rejects it so the broker's own dead-lettering moves it (without reason).
   * Then tells `hooks.onFailure` what happened. A delivery whose channel closed is left to the broker,
   * which redelivers it: nothing happened to it yet, so no hook is called.
   */
  private async handleFailure(delivery: ConsumeMessage, channel: ConsumerChannel, error: unknown): Promise<void> {
    const failure = classifyFailure(error);
    const id = delivery.properties.messageId ?? '(no message id)';
    const type = delivery.properties.type ?? delivery.fields.routingKey;
    if (!channel.isOpen) {
      this.logger.warn(`message ${id} (${type}) failed (${failure.message}) after its channel closed: the broker redelivers it`);
      return;
    }
    const dlq = deadLetterQueueOf(channel.queue);
    const retry = this.consumers.find((consumer) => consumer.queue.name === channel.queue)?.queue.retry;
    const ladder = {
      tiers: retry?.tiers ?? [],
      maxAttempts: this.options.maxAttemptsByQueue[channel.queue] ?? retry?.maxAttempts ?? 1,
    };
    const failed = `message ${id} (${type}) from ${channel.queue} failed with ${failure.type}${failure.retryable ? '' : ' (not retryable)'}`;
    let result: FailureResult;
    try {
      result = await this.ladder.dispose(delivery, channel.queue, ladder, failure);
    } catch (publishError) {
      this.logger.error(
        `${failed}: ${failure.message}; cannot publish it to a delay tier or ${dlq} (${messageOf(publishError)}): ` +
          `rejecting it to the queue's dead-letter exchange instead`,
      );
      channel.reject(delivery);
      this.notifyFailure(delivery, channel.queue, failure, { outcome: 'dead-letter', attempt: undefined });
      return;
    }
    const attempts = `attempt ${result.attempt} of ${result.maxAttempts}`;
    if (result.outcome === 'retry') {
      this.logger.warn(`${failed} (${attempts}): ${failure.message}; retrying in ${result.delayMs} ms through ${result.tier.queue}`);
    } else {
      const why = result.fallbackReason ?? (result.why === 'attempts-exhausted' ? `${attempts}, no retry left` : 'not retryable');
      this.logger.warn(`${failed}: ${failure.message}; parked in ${dlq} (${why})`);
    }
    if (!channel.ack(delivery)) {
      this.logger.warn(`message ${id} went to ${result.outcome === 'retry' ? result.tier.queue : dlq}, but the broker also redelivers it (its channel closed meanwhile)`);
    }
    this.notifyFailure(delivery, channel.queue, failure, result);
  }

  /** `hooks.onFailure`, which must not break failure handling when it throws. */
  private notifyFailure(
    delivery: ConsumeMessage,
    queue: string,
    failure: HandlingFailure,
    result: Pick<FailureResult, 'outcome'> & { attempt?: number; delayMs?: number },
  ): void {
    if (!this.hooks.onFailure) return;
    // Only types this service knows become a label: a producer sending garbage must not create metrics series.
    const header = delivery.properties.headers?.[CloudEventsHeaders.type] ?? delivery.properties.type;
    const messageType = typeof header === 'string' && this.contracts.has(header) ? header : undefined;
    try {
      this.hooks.onFailure({
        queue,
        messageType,
        failure,
        attempt: result.attempt ?? attemptOf(delivery, this.options.service),
        outcome: result.outcome,
        ...(result.outcome === 'retry' ? { delayMs: result.delayMs } : {}),
      });
    } catch (hookError) {
      this.logger.error(`onFailure hook failed for message ${delivery.properties.messageId ?? '(no id)'}: ${messageOf(hookError)}`);
    }
  }

  private collectContracts(): Map<string, MessageContract> {
    const contracts = new Map<string, MessageContract>();
    for (const [pattern, handler] of this.getHandlers()) {
      const contract = handler.extras?.[HANDLED_CONTRACT] as MessageContract | undefined;
      if (!contract) {
        this.logger.warn(`handler of "${pattern}" is not declared with @Handles(contract): its messages are treated as unknown`);
        continue;
      }
      contracts.set(contract.type, contract);
    }
    const routed = new Set(
      this.consumers.flatMap((consumer) => consumer.queue.bindings.map((b) => `${b.exchange} ${b.routingKey}`)),
    );
    const unrouted = [...contracts.values()].filter((contract) => !routed.has(`${contract.exchange} ${contract.type}`));
    if (unrouted.length > 0) {
      throw new Error(
        `${this.options.service} handles ${unrouted.map((c) => `${c.type} (from ${c.exchange})`).join(', ')}, ` +
          `but none of its queues is bound to it: add the message to a queue's bindings in the topology (libs/contracts)`,
      );
    }
    const unhandled = this.consumers.flatMap((consumer) =>
      consumer.queue.bindings.filter((b) => !b.retryReturn && !contracts.has(b.routingKey)).map((b) => `${b.routingKey} (${consumer.queue.name})`),
    );
    if (unhandled.length > 0) {
      this.logger.warn(`no @Handles method for ${unhandled.join(', ')}: such messages will be parked in the DLQ`);
    }
    return contracts;
  }

  private async shutdown(): Promise<void> {
    const wasListening = this.state === 'listening';
    this.state = 'closing';
    this.connection.manager.removeListener('connect', this.onConnect);
    this.connection.manager.removeListener('disconnect', this.onDisconnect);
    clearTimeout(this.topologyRetryTimer);
    if (wasListening) {
      await this.resuming;
      const started = Date.now();
      const unfinished = await Promise.all(this.consumers.map((consumer) => consumer.stop(this.options.shutdownTimeoutMs)));
      const left = unfinished.reduce((sum, n) => sum + n, 0);
      if (left > 0) {
        this.logger.warn(
          `${left} handler(s) still running after the ${this.options.shutdownTimeoutMs} ms shutdown deadline: ` +
            `their messages stay unacknowledged and the broker redelivers them`,
        );
      } else {
        this.logger.log(`stopped consuming; running handlers finished in ${Date.now() - started} ms`);
      }
    }
    await this.parkingPublisher.close();
    this.state = 'closed';
  }
}

function deliveryInfo(delivery: ConsumeMessage, queue: string): DeliveryInfo {
  const { exchange, routingKey, redelivered, deliveryTag } = delivery.fields;
  return { queue, exchange, routingKey, redelivered, deliveryTag };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
