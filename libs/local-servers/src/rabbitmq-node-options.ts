export interface RabbitMqNodeOptions {
  /** The node's own folder: config, data, logs, pid. Created if missing; kept by `stop()`. */
  baseDir: string;
  /** Erlang node name, unique on the machine, e.g. `orderly@localhost`. */
  nodeName: string;
  amqpPort: number;
  managementPort: number;
  prometheusPort: number;
  /** Erlang distribution port (how CLI tools and cluster peers reach the node). */
  distPort: number;
  /**
   * The epmd port (Erlang's port mapper). Default 4369, shared with every Erlang node on the machine;
   * give a free port to keep the node apart from them (the test harness does).
   */
  epmdPort?: number;
  /** The base rabbitmq.conf (apps/broker/rabbitmq/rabbitmq.conf); the node's copy overrides ports and users. */
  confFile: string;
  enabledPluginsFile: string;
  /** The administrator the node is created with (instead of guest); also the user of the URLs. */
  adminUser: string;
  adminPassword: string;
  /** A definitions.json to import at every boot; the administrator is added to it. */
  definitionsFile?: string;
  /** More rabbitmq.conf keys, replacing the base file's value of the same key. */
  settings?: Record<string, string>;
  /**
   * An AMQP-over-TLS listener beside the plain one, from PEM files (copied into the node's folder, so
   * the node's user can read them). `requireClientCert`: clients must present a certificate signed by
   * the CA (mutual TLS); otherwise the server does not ask for one.
   */
  tls?: { port: number; caFile: string; certFile: string; keyFile: string; requireClientCert?: boolean };
  /** Interface of the listeners (AMQP, management, Prometheus, distribution). Default 127.0.0.1. */
  host?: string;
  /**
   * false (default): the node belongs to this process; a watchdog stops it if this process dies first.
   * true: the node outlives this process (a CLI's `start`); stop it with `RabbitMqNode.stopExisting`.
   */
  detached?: boolean;
  /** Erlang cookie, for nodes that must talk to each other (a cluster); default: one per node. */
  erlangCookie?: string;
  /** Default 90 s: a first boot takes 15–25 s on a small machine, more under load. */
  startTimeoutMs?: number;
  /** Each line the node logs while this process watches it (JSON lines made readable). */
  onLog?: (line: string) => void;
  /** Folder of `rabbitmq-server`, when it is not in a usual place. */
  rabbitmqBinDir?: string;
}
