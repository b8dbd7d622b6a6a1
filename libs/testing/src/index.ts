export { createTestVhost, managementApi } from './test-broker';
export type { TestVhost } from './test-broker';
export { createProvisionedVhost } from './provisioned-vhost';
export type { ProvisionedVhost } from './provisioned-vhost';
export { createTestDatabase } from './test-database';
export type { TestDatabase } from './test-database';
export { startServiceProcess } from './service-process';
export type { ServiceProcess } from './service-process';
export { startTestServers, TestEnv } from './test-servers';
export { testBrokerControl } from './broker-control';
export { startPrivateBroker } from './private-broker';
export type { PrivateBroker, PrivateBrokerOptions } from './private-broker';
export { startPrivatePostgres } from './private-postgres';
export type { PrivatePostgres } from './private-postgres';
export { createTestCertificates } from '@orderly/local-servers';
export type { TestCertificates } from '@orderly/local-servers';
export type { BrokerControl } from './broker-control';
export type { RunningTestServers } from './test-servers';
export { serviceBootSuite } from './service-boot.suite';
export { freePort } from './free-port';
export { workspaceRoot } from './workspace-root';
export { startTestStack } from './test-stack';
export type { TestStack, TestStackOptions } from './test-stack';
// End-to-end tests reach the system's HTTP APIs through these (tools/local-stack, shared with the demo).
export { HttpStatusError, isSettled, listProducts } from '@orderly/local-stack';
export type {
  OrderView,
  PlaceOrderRequest,
  ProductView,
  SagaView,
  TimelineEntry,
} from '@orderly/local-stack';
export { OtlpReceiver } from './otlp-receiver';
export type { ReceivedSpan } from './otlp-receiver';
export { FaultProxy } from './fault-proxy';
export type { FaultProxyMode, FaultProxyOptions, FaultProxyTarget } from './fault-proxy';
export { startTestCluster } from './test-cluster';
export type { TestCluster } from './test-cluster';
export { serviceSecuritySuite } from './service-security.suite';
export type { ServiceSecuritySuiteOptions } from './service-security.suite';
export { startParticipantTestBed, waitUntil } from './participant-test-bed';
export type {
  ParticipantMessaging,
  ParticipantTestBed,
  ParticipantTestBedOptions,
  ReceivedMessage,
} from './participant-test-bed';
export { lastSentMessage, publishByHand, redeliveryOf } from './hand-published';
export type { RawMessage, SentMessage } from './hand-published';
