import { connect } from 'amqplib';
import { decodeBenchMessage, encodeBenchMessage } from './bench-message';
import type { AdapterOptions, MessagingAdapter } from './messaging-adapter';

/**
 * Raw amqplib, the ceiling: one connection, a confirm channel to publish and a second channel to consume,
 * nothing else.
 * No reconnects, no envelope, no validation: what any library built on amqplib can at best reach.
 */
export function amqplibAdapter({ amqpUrl, prefetch, noDelay }: AdapterOptions): MessagingAdapter {
  return {
    subject: 'amqplib',
    guarantees:
      'publish resolves on the broker confirm (persistent, quorum queue: written to a majority); ' +
      'ack after the handler returns. No reconnect, no bound while disconnected (there is no disconnected state).',
    async open(queue, { onMessage }) {
      const connection = await connect(amqpUrl, { noDelay });
      const publishChannel = await connection.createConfirmChannel();
      if (onMessage) {
        const consumeChannel = await connection.createChannel();
        await consumeChannel.prefetch(prefetch);
        await consumeChannel.consume(
          queue,
          (delivery) => {
            if (!delivery) return;
            onMessage(decodeBenchMessage(delivery.content));
            consumeChannel.ack(delivery);
          },
          { noAck: false },
        );
      }
      return {
        send: (message) =>
          new Promise<void>((resolve, reject) => {
            // The returned boolean (socket buffer full) is ignored: the suite's window bounds what is in flight.
            publishChannel.sendToQueue(
              queue,
              encodeBenchMessage(message),
              { persistent: true, contentType: 'application/json' },
              (error) =>
                error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(),
            );
          }),
        close: () => connection.close(),
      };
    },
  };
}
