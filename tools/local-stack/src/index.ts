// Running the whole system on this machine: the four services as processes, their databases migrated,
// and typed clients of their HTTP APIs. Shared by `npm run demo` (own servers) and the end-to-end tests
// (the test harness's servers, through @orderly/testing).
export { StackServices } from './stack-services';
export type { StackSchema, StackService } from './stack-services';
export { ServiceFleet } from './service-fleet';
export type { FleetServiceSpec, ProcessExit, RunningService, StartFleetOptions } from './service-fleet';
export { migrateServiceDatabases, seedInventory } from './service-databases';
export type { DatabaseUrls } from './service-databases';
export { runWorkspaceScript } from './run-workspace-script';
export { HttpStatusError, isSettled, OrdersClient } from './orders-client';
export type {
  OrderStatus,
  OrderView,
  PlaceOrderRequest,
  SagaStatus,
  SagaView,
  TimelineEntry,
  WaitOptions,
} from './orders-client';
export { listProducts } from './inventory-client';
export type { ProductView } from './inventory-client';
