import { applyDecorators, SetMetadata, UseFilters } from '@nestjs/common';
import { EventPattern } from '@nestjs/microservices';
import type { MessageContract } from '@orderly/contracts';
import { AMQP_TRANSPORT, HANDLED_CONTRACT } from '../server/amqp-transport';
import { HandlerErrorPassthroughFilter } from './handler-error-passthrough.filter';

/**
 * Marks a controller method as the handler of one message contract:
 *
 * ```ts
 * @Handles(ReserveStock)
 * async reserve(command: MessageOf<typeof ReserveStock>, @Ctx() ctx: MessageContext): Promise<void> { … }
 * ```
 *
 * It is Nest's `@EventPattern(contract.type)` for the Orderly AMQP transport, so pipes, guards,
 * interceptors and dependency injection work as for any Nest handler. The server validates each delivery
 * against `contract` before the handler runs, and acknowledges it after the handler's promise resolved.
 */
export function Handles(contract: MessageContract): MethodDecorator {
  return applyDecorators(
    EventPattern(contract.type, AMQP_TRANSPORT, { [HANDLED_CONTRACT]: contract }),
    SetMetadata(HANDLED_CONTRACT, contract),
    // Nest's default RPC filter would turn every error into "Internal server error"; the server needs the
    // original error to tell retryable from non-retryable failures and to record the reason.
    UseFilters(new HandlerErrorPassthroughFilter()),
  );
}
