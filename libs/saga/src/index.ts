// The public door of @orderly/saga: declaring sagas, the Nest module and its runtime, the pure engine
// (for tests and tools that walk a definition), and the errors. The store's SQL is internal.
export { defineSaga, emit, next, reject, replyTypesOf, send, step } from './define-saga';
export type {
  Emit,
  Outgoing,
  Reject,
  ReplyOutcome,
  SagaDefinition,
  SagaEnd,
  StepDefinition,
} from './define-saga';
export { cancelSaga, isIgnored, onDeadline, onReply, retrySaga, startSaga, stepLabel } from './saga-engine';
export type {
  EngineContext,
  Ignored,
  OutgoingMessage,
  Reply,
  Result,
  SagaOutcome,
  StepOutcome,
  Transition,
} from './saga-engine';
export { isTerminal, TerminalStatuses } from './saga-state';
export type { SagaLogEntry, SagaPhase, SagaState, SagaStatus } from './saga-state';
export { SagaDefaults } from './saga-settings';
export type { SagaSettings } from './saga-settings';
export { SagaModule } from './saga.module';
export type { SagaModuleOptions } from './saga-options';
export { SagaRuntime } from './saga-runtime';
export type { SagaView } from './saga-runtime';
export type { SagaListFilter } from './store/saga-store';
export type { SagaDatabase, SagaTransaction } from './store/saga-database';
export { SagaConcurrencyError } from './errors/saga-concurrency.error';
export { SagaNotFoundError } from './errors/saga-not-found.error';
export { SagaTransitionRefusedError } from './errors/saga-transition-refused.error';
