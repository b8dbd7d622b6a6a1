import { defineConfig, serviceSettings } from '@orderly/config';
import { SagaDefaults } from '@orderly/saga';
import { z } from 'zod';

const ms = (fallback: number, meaning: string) =>
  z.coerce.number().int().min(1).default(fallback).describe(meaning);

/** Every setting of order-service, validated at boot. */
export const OrderServiceConfig = defineConfig('order-service', {
  ...serviceSettings('order-service', { port: 3001 }),
  ADMIN_TOKEN: z
    .string()
    .min(16, 'must be at least 16 characters')
    .describe('Bearer token of the operator API (/admin/sagas); keep it secret'),
  SAGA_STEP_TIMEOUT_MS: ms(
    SagaDefaults.stepTimeoutMs,
    'How long a saga step waits for its reply before re-sending',
  ),
  SAGA_STEP_MAX_ATTEMPTS: ms(
    SagaDefaults.stepMaxAttempts,
    'Sends of a step command before the saga compensates (or fails)',
  ),
  SAGA_COMPENSATION_MAX_ATTEMPTS: ms(
    SagaDefaults.compensationMaxAttempts,
    'Sends of a compensation before the saga is FAILED (needs an operator)',
  ),
  SAGA_SWEEP_INTERVAL_MS: ms(
    SagaDefaults.sweepIntervalMs,
    'How often the sweeper looks for sagas past their deadline',
  ),
});
