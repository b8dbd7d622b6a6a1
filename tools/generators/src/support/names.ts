import { names } from '@nx/devkit';

/** Every name a generated service goes by, derived from its kebab-case name (`shipping-service`). */
export interface ServiceNames {
  /** `shipping-service`: app folder, broker user, log `service` label, Prometheus target. */
  service: string;
  /** `shipping`: the bounded context: exchanges `shipping.events`/`shipping.commands`, `prisma/shipping`. */
  context: string;
  /** `shipping`: the key in `Services`, prefix of the keys in `Exchanges` and `Queues`. */
  key: string;
  /** `ShippingService`: prefix of class names (`ShippingServiceConfig`). */
  className: string;
  /** `shipping_service`: PostgreSQL role and database of the compose stack. */
  database: string;
  /** `SHIPPING_SERVICE`: prefix of its compose secrets (`SHIPPING_SERVICE_DB_PASSWORD`). */
  envPrefix: string;
}

const SERVICE_NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*-service$/;

/** Refuses a name that would not fit the conventions, saying which. */
export function serviceNames(service: string): ServiceNames {
  if (!SERVICE_NAME.test(service)) {
    throw new Error(
      `service name "${service}" must be kebab-case and end in -service, e.g. shipping-service`,
    );
  }
  const context = service.slice(0, -'-service'.length);
  return {
    service,
    context,
    key: names(context).propertyName,
    className: names(service).className,
    database: service.replace(/-/g, '_'),
    envPrefix: service.replace(/-/g, '_').toUpperCase(),
  };
}

/** `shipping` → `ShipOrder`-style names of a message: its constant, file and routing type. */
export interface MessageNames {
  /** `ShipOrder`: the exported contract constant. */
  constant: string;
  /** `ship-order`: file names of its handler. */
  fileName: string;
  /** `shipOrder`: the handler method. */
  method: string;
  /** `shipping.ship-order`: the message type (routing key). */
  type: string;
}

export function messageNames(context: string, name: string): MessageNames {
  const n = names(name);
  if (!/^[A-Za-z][A-Za-z0-9]*$/.test(n.className))
    throw new Error(`message name "${name}" must be a word such as ShipOrder`);
  return {
    constant: n.className,
    fileName: n.fileName,
    method: n.propertyName,
    type: `${context}.${n.fileName}`,
  };
}
