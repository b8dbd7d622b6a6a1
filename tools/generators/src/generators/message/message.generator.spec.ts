import { text, workspaceTree } from '../../test-support/workspace-tree';
import { serviceGenerator } from '../service/service.generator';
import { messageGenerator } from './message.generator';

describe('message generator', () => {
  const withShipping = () => {
    const tree = workspaceTree();
    serviceGenerator(tree, { name: 'shipping-service', skipPostSteps: true });
    return tree;
  };

  it('writes a versioned contract with a schema and exports it from @orderly/contracts', () => {
    const tree = withShipping();
    messageGenerator(tree, { context: 'shipping', name: 'ShipOrder', kind: 'command', skipPostSteps: true });
    const contract = text(tree, 'libs/contracts/src/shipping/shipping.commands.ts');
    expect(contract).toContain("import { defineCommand } from '../envelope/message-contract';");
    expect(contract).toMatch(
      /export const ShipOrder = defineCommand\(\{\n {2}type: 'shipping\.ship-order',\n {2}version: 1,\n {2}exchange: Exchanges\.shippingCommands,\n {2}schema: z\.object\(/,
    );
    expect(text(tree, 'libs/contracts/src/index.ts')).toContain(
      "export { ShipOrder } from './shipping/shipping.commands';",
    );
  });

  it("routes a command into the handling service's queue and imports the contract into the topology", () => {
    const tree = withShipping();
    messageGenerator(tree, { context: 'shipping', name: 'ShipOrder', kind: 'command', skipPostSteps: true });
    messageGenerator(tree, {
      context: 'shipping',
      name: 'CancelShipment',
      kind: 'command',
      skipPostSteps: true,
    });
    const topology = text(tree, 'libs/contracts/src/topology/topology.ts');
    expect(topology).toMatch(
      /messages: \[\n\s+ShipOrder,\n\s+CancelShipment,\n\s+\/\/ @orderly\/tools:messages:shipping-service\.commands\n/,
    );
    expect(topology).toContain("import { ShipOrder } from '../shipping/shipping.commands';");
    expect(topology).toContain("import { CancelShipment } from '../shipping/shipping.commands';");
    // The second contract joins the same file and the same export line.
    expect(text(tree, 'libs/contracts/src/shipping/shipping.commands.ts').match(/^import /gm)).toHaveLength(
      4,
    );
    expect(text(tree, 'libs/contracts/src/index.ts')).toContain(
      "export { CancelShipment, ShipOrder } from './shipping/shipping.commands';",
    );
  });

  it('gives the handling service an @Handles + @Idempotent handler stub, registered, with its test', () => {
    const tree = withShipping();
    messageGenerator(tree, { context: 'shipping', name: 'ShipOrder', kind: 'command', skipPostSteps: true });
    const handler = text(tree, 'apps/shipping-service/src/messages/ship-order.handler.ts');
    expect(handler).toContain('@Handles(ShipOrder)');
    expect(handler).toContain("@Idempotent({ consumer: 'shipping-service.ship-order' })");
    expect(handler).toContain("from '@orderly/shipping-db'");
    const module = text(tree, 'apps/shipping-service/src/app.module.ts');
    expect(module).toMatch(/controllers: \[\n\s+ShipOrderHandler,\n\s+\/\/ @orderly\/tools:handlers/);
    expect(module).toContain("import { ShipOrderHandler } from './messages/ship-order.handler';");
    const test = text(tree, 'apps/shipping-service/src/messages/ship-order.handler.int-spec.ts');
    expect(test).toContain("expect(rows).toEqual([{ consumer: 'shipping-service.ship-order' }]);");
  });

  it('declares events and replies on their exchanges without a handler unless a service is named', () => {
    const tree = withShipping();
    messageGenerator(tree, {
      context: 'shipping',
      name: 'OrderShipped',
      kind: 'reply',
      replyTo: 'order',
      skipPostSteps: true,
    });
    messageGenerator(tree, {
      context: 'shipping',
      name: 'ShipmentDispatched',
      kind: 'event',
      skipPostSteps: true,
    });
    expect(text(tree, 'libs/contracts/src/shipping/shipping.replies.ts')).toMatch(
      /defineReply\(\{[\s\S]*exchange: Exchanges\.orderReplies,/,
    );
    expect(text(tree, 'libs/contracts/src/shipping/shipping.events.ts')).toMatch(
      /defineEvent\(\{[\s\S]*exchange: Exchanges\.shippingEvents,/,
    );
    expect(tree.exists('apps/shipping-service/src/messages/order-shipped.handler.ts')).toBe(false);
  });

  it('refuses a context without exchanges and a contract that exists', () => {
    const tree = withShipping();
    expect(() =>
      messageGenerator(tree, { context: 'billing', name: 'Bill', kind: 'command', skipPostSteps: true }),
    ).toThrow(/no Exchanges\.billingCommands: generate the billing-service first/);
    messageGenerator(tree, { context: 'shipping', name: 'ShipOrder', kind: 'command', skipPostSteps: true });
    expect(() =>
      messageGenerator(tree, {
        context: 'shipping',
        name: 'ShipOrder',
        kind: 'command',
        skipPostSteps: true,
      }),
    ).toThrow(/already declares ShipOrder/);
  });
});
