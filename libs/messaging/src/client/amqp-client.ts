import { Inject, Injectable, Optional } from '@nestjs/common';
import type { Message, MessageContract, MessageOf } from '@orderly/contracts';
import { AmqpConnection } from '../connection/amqp-connection';
import { MESSAGING_HOOKS, type MessagingHooks } from '../messaging-hooks';
import { MESSAGING_OPTIONS, type ResolvedMessagingOptions } from '../messaging-options';
import { ConfirmedPublisher, type PublishTarget } from '../publisher/confirmed-publisher';
import { telemetryHooks } from '../telemetry/telemetry-hooks';

/**
 * Publishes contract messages with publisher confirms (the Nest-injectable face of ConfirmedPublisher):
 *
 * ```ts
 * await client.publish(OrderConfirmed, OrderConfirmed.create(data, { source: '/orderly/order-service' }));
 * ```
 *
 * The returned promise resolves when the broker has taken responsibility for the message and rejects
 * with a `PublishRejectedError` otherwise (nacked, returned, timeout, closed, buffer-full); it never
 * retries behind the caller's back. Events are published to their topic exchange; commands and replies
 * are `mandatory`, so one that no queue would receive is rejected instead of silently dropped.
 *
 * Services publish through the outbox (libs/outbox), whose relay uses this client; direct use is for the
 * relay, tests and tools.
 */
@Injectable()
export class AmqpClient {
  private readonly publisher: ConfirmedPublisher;

  constructor(
    @Inject(AmqpConnection) connection: AmqpConnection,
    @Inject(MESSAGING_OPTIONS) options: ResolvedMessagingOptions,
    // Without a MESSAGING_HOOKS provider, every publish is traced and counted.
    @Optional() @Inject(MESSAGING_HOOKS) hooks: MessagingHooks = telemetryHooks(),
  ) {
    this.publisher = new ConfirmedPublisher(
      connection,
      {
        maxInFlight: options.maxInFlightPublishes,
        backpressureTimeoutMs: options.backpressureTimeoutMs,
        confirmTimeoutMs: options.confirmTimeoutMs,
      },
      hooks,
      options.service,
    );
  }

  publish<C extends MessageContract>(contract: C, message: MessageOf<C>): Promise<void> {
    if (message.type !== contract.type) {
      return Promise.reject(new TypeError(`message ${message.id} is a ${message.type}, not a ${contract.type}`));
    }
    return this.publisher.publishMessage(contract, message);
  }

  /**
   * Publishes a message to an explicit target, for a caller that stored where it goes (the outbox
   * relay's rows keep exchange, routing key and `mandatory`); otherwise like `publish`.
   */
  publishTo(message: Message, target: PublishTarget): Promise<void> {
    return this.publisher.publish(message, target);
  }

  /** Publishes awaiting a confirm (or a slot) right now. */
  get inFlight(): number {
    return this.publisher.inFlight;
  }

  /** Rejects new publishes; those awaiting a confirm are rejected if the channel closes first. */
  close(): Promise<void> {
    return this.publisher.close();
  }
}
