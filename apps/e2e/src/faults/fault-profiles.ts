import { Services } from '@orderly/contracts';
import {
  brokerRestart,
  closeConnections,
  duplicateDeliveries,
  type Fault,
  killAndRestart,
  poisonMessages,
  postgresRestart,
  proxyBlackHole,
  proxyLatency,
  proxyReset,
} from './fault-catalog';
import { clusterNodeStop } from './cluster-node-fault';

/** How big a run is and which faults it injects. */
export interface FaultProfile {
  name: 'short' | 'long' | 'cluster';
  /** A broker node and a PostgreSQL server of the file's own, which the faults may stop. */
  privateServers: boolean;
  /**
   * A 3-node RabbitMQ cluster of the file's own in place of the broker: the topology provisioned on it,
   * the services behind a failover proxy in front of its nodes (as behind a TCP load balancer).
   */
  cluster?: boolean;
  /** The stream goes on until all faults are done and at least this many orders were acknowledged. */
  minOrders: number;
  /** Gap between orders, and POSTs in progress at most. */
  intervalMs: number;
  maxInFlight: number;
  /** Orders acknowledged between two faults, so each fault lands on sagas in flight. */
  ordersBetweenFaults: number;
  /** Initial stock of the products the stream buys; the last one is scarce (the insufficient-stock path). */
  stock: number[];
  faults: Fault[];
  /** A fault's sagas must all be terminal this long after it ended, or it counts as not recovered. */
  recoveryBoundMs: number;
  /** After the stream stops, every saga must be terminal within this. */
  settleBoundMs: number;
}

/**
 * `npm test` (CI): the faults that need no private server and at most one service restart, on ~40
 * orders. The restart of order-service is the costly one (a service boot) and the most telling: it
 * kills the orchestrator mid-transition and its relay mid-publish.
 */
export const ShortProfile: FaultProfile = {
  name: 'short',
  privateServers: false,
  minOrders: 40,
  intervalMs: 500,
  maxInFlight: 4,
  ordersBetweenFaults: 5,
  stock: [200, 200, 200, 6],
  faults: [proxyReset, closeConnections, duplicateDeliveries, poisonMessages, killAndRestart(Services.order)],
  recoveryBoundMs: 90_000,
  settleBoundMs: 90_000,
};

/** `npm run test:faults`: every fault of issue 10, each landing on sagas in flight. */
export const LongProfile: FaultProfile = {
  name: 'long',
  privateServers: true,
  minOrders: 300,
  intervalMs: 250,
  maxInFlight: 6,
  ordersBetweenFaults: 15,
  stock: [5_000, 5_000, 5_000, 10],
  faults: [
    proxyReset,
    closeConnections,
    duplicateDeliveries,
    poisonMessages,
    killAndRestart(Services.order),
    killAndRestart(Services.inventory),
    killAndRestart(Services.payment),
    killAndRestart(Services.notification),
    proxyLatency(200, 10_000),
    proxyBlackHole(8_000),
    brokerRestart(15_000),
    postgresRestart(5_000),
    duplicateDeliveries,
    poisonMessages,
  ],
  recoveryBoundMs: 120_000,
  settleBoundMs: 120_000,
};

/**
 * `npm run test:faults -- --testPathPatterns cluster`: a node of a 3-node cluster stopped under load for
 * 15 s and started again (the node every service connection and every queue leader is on), with the
 * topology's quorum queues replicated to all three nodes. Not in `npm test`: three broker nodes and
 * four services are more than CI's budget (about 1.5 GiB of RSS and 3–5 minutes on 2 CPUs).
 */
export const ClusterProfile: FaultProfile = {
  name: 'cluster',
  privateServers: false,
  cluster: true,
  minOrders: 150,
  intervalMs: 250,
  maxInFlight: 6,
  ordersBetweenFaults: 25,
  stock: [5_000, 5_000, 5_000, 10],
  faults: [clusterNodeStop(15_000)],
  recoveryBoundMs: 120_000,
  settleBoundMs: 120_000,
};
