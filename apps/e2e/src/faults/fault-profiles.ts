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

/** How big a run is and which faults it injects. */
export interface FaultProfile {
  name: 'short' | 'long';
  /** A broker node and a PostgreSQL server of the file's own, which the faults may stop. */
  privateServers: boolean;
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
