import type { SagaMetricsRecorder } from '@orderly/observability';
import type { SagaDefinition } from './define-saga';
import { SagaDefaults, type SagaSettings } from './saga-settings';
import type { SagaState } from './saga-state';
import type { SagaDatabase, SagaTransaction } from './store/saga-database';

export interface SagaModuleOptions extends Partial<SagaSettings> {
  /** The orchestrating service's Prisma client (its database holds saga_instance and saga_transition). */
  database: SagaDatabase;
  // Definitions of any data shape: each one is typed where it is declared.
  definitions: ReadonlyArray<SagaDefinition<any>>;
  /** CloudEvents `source` of the commands and events the sagas send, e.g. `/orderly/order-service`. */
  source: string;
  /** Run the deadline sweeper and the gauges in this process (default true). */
  runSweeper?: boolean;
  /**
   * Called in the transaction of every state change, after the saga row is written: the service keeps
   * its own aggregate in step (e.g. the order's status) atomically with the saga.
   */
  onTransition?: (tx: SagaTransaction, before: SagaState | undefined, after: SagaState) => Promise<void>;
  /** Default: `sagaMetricsRecorder()` on the shared registry. */
  metrics?: SagaMetricsRecorder;
}

export interface ResolvedSagaOptions extends SagaSettings, Omit<SagaModuleOptions, keyof SagaSettings> {
  runSweeper: boolean;
}

export function resolveSagaOptions(options: SagaModuleOptions): ResolvedSagaOptions {
  const resolved = { ...SagaDefaults, runSweeper: true, ...withoutUndefined(options) } as ResolvedSagaOptions;
  for (const key of Object.keys(SagaDefaults) as Array<keyof SagaSettings>) {
    const value = resolved[key];
    if (!Number.isInteger(value) || value < 1)
      throw new Error(`saga setting ${key} must be an integer >= 1 (got ${String(value)})`);
  }
  const names = new Set<string>();
  for (const d of resolved.definitions) {
    if (names.has(d.name)) throw new Error(`saga ${d.name} is registered twice`);
    names.add(d.name);
  }
  return resolved;
}

function withoutUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export const SAGA_OPTIONS = Symbol('SAGA_OPTIONS');
