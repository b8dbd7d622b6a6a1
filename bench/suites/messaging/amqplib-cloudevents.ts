import { encodeMessage } from '@orderly/messaging';
import { connect } from 'amqplib';
import { decodeBenchMessage } from './bench-message';
import type { AdapterOptions, MessagingAdapter } from './messaging-adapter';
import { BenchMessageSent, benchTopology, provision, SOURCE } from './orderly';

/**
 * Raw amqplib sending exactly what Orderly's transport sends: the same contract-created message in
 * CloudEvents binary mode (the same body, properties and `cloudEvents:*`/`correlation-id` headers),
 * published to the same topic exchange with the same routing key, and consumed with an ack and no
 * decoding. Set beside bare amqplib it prices the envelope and the topic routing (on the broker, mostly);
 * set beside Orderly it prices the transport itself (confirm tracking, bounds, hooks, validation, Nest).
 */
export function amqplibCloudEventsAdapter({ amqpUrl, prefetch, noDelay }: AdapterOptions): MessagingAdapter {
  return {
    subject: 'amqplib-cloudevents',
    guarantees:
      'as amqplib, with the Orderly wire format and route (topic exchange); consume: ack, no validation.',
    async open(queue, { onMessage }) {
      const topology = benchTopology(queue);
      await provision(amqpUrl, topology);
      const exchange = BenchMessageSent.exchange;
      const connection = await connect(amqpUrl, { noDelay });
      const publishChannel = await connection.createConfirmChannel();
      if (onMessage) {
        const consumeChannel = await connection.createChannel();
        await consumeChannel.prefetch(prefetch);
        await consumeChannel.consume(queue, (delivery) => {
          if (!delivery) return;
          onMessage(decodeBenchMessage(delivery.content));
          consumeChannel.ack(delivery);
        });
      }
      return {
        send: (message) =>
          new Promise<void>((resolve, reject) => {
            const { content, options } = encodeMessage(BenchMessageSent.create(message, SOURCE));
            publishChannel.publish(exchange, BenchMessageSent.type, content, options, (error) =>
              error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(),
            );
          }),
        close: () => connection.close(),
      };
    },
  };
}
