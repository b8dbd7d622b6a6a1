import { BaseRpcContext } from '@nestjs/microservices';
import type { Message } from '@orderly/contracts';
import type { Channel, ConsumeMessage } from 'amqplib';

/**
 * Handed to every handler as its second argument (Nest's `@Ctx()`): which queue the message came from,
 * how often it was delivered, and the raw delivery for the rare handler that needs a header.
 * Acknowledgement is the transport's job, never the handler's.
 */
export class MessageContext extends BaseRpcContext<[Message, ConsumeMessage, string, Channel]> {
  get message(): Message {
    return this.args[0];
  }

  get delivery(): ConsumeMessage {
    return this.args[1];
  }

  get queue(): string {
    return this.args[2];
  }

  /** @internal the channel the delivery arrived on: only it can acknowledge the delivery. */
  get channel(): Channel {
    return this.args[3];
  }

  /** True when the broker has delivered this message before (a crash or a lost connection in between). */
  get redelivered(): boolean {
    return this.delivery.fields.redelivered;
  }
}
