import type { CommandGroup } from './command';
import { dlqListCommand } from './dlq-list.command';
import { dlqPeekCommand } from './dlq-peek.command';
import { dlqPurgeCommand } from './dlq-purge.command';
import { dlqReplayCommand } from './dlq-replay.command';

/** `npm run broker -- dlq list|peek|replay|purge`: operating the parking lots of the work queues. */
export const dlqCommands: CommandGroup = {
  name: 'dlq',
  summary: 'dead-letter queues: list, peek, replay, purge',
  commands: [dlqListCommand, dlqPeekCommand, dlqReplayCommand, dlqPurgeCommand],
};
