import { BaseRpcContext } from '@nestjs/microservices';
import type { Message } from '@orderly/contracts';
import type { ConsumeMessage } from 'amqplib';

/**
 * Handed to every handler as its second argument (Nest's `@Ctx()`), like Nest's own `RmqContext`:
 * which queue the message came from, whether it was delivered before, and the raw delivery for the rare
 * handler that needs a header. There is deliberately no channel here: acknowledging is the transport's
 * job (after the handler's promise resolved), never the handler's.
 */
export class MessageContext extends BaseRpcContext<[Message, ConsumeMessage, string]> {
  /** The validated message (the handler's first argument). */
  get message(): Message {
    return this.args[0];
  }

  get delivery(): ConsumeMessage {
    return this.args[1];
  }

  /** The work queue the delivery came from. */
  get queue(): string {
    return this.args[2];
  }

  /** True when the broker has delivered this message before (a crash or a lost connection in between). */
  get redelivered(): boolean {
    return this.delivery.fields.redelivered;
  }
}
