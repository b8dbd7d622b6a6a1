import {
  Controller,
  Get,
  HttpCode,
  NotFoundException,
  ConflictException,
  Param,
  Post,
  Query,
  UseGuards,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { SagaNotFoundError, SagaRuntime, SagaTransitionRefusedError } from '@orderly/saga';
import { z } from 'zod';
import { parseRequest } from '../http/validation';
import { type SagaSummary, sagaSummary, type TimelineEntry, timelineView } from '../orders/order-view';
import { AdminTokenGuard } from './admin-token.guard';

const ListQuery = z.object({
  status: z.enum(['RUNNING', 'COMPENSATING', 'COMPLETED', 'COMPENSATED', 'FAILED']).optional(),
  type: z.string().min(1).max(64).optional(),
  olderThanSeconds: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
const SagaId = z.uuid({ error: 'must be a UUID' });

/** The operator API: find sagas, read one timeline, retry one that failed and needs attention. */
@ApiTags('admin')
@ApiBearerAuth()
@UseGuards(AdminTokenGuard)
@Controller('admin/sagas')
export class SagasController {
  constructor(private readonly sagas: SagaRuntime) {}

  @Get()
  @ApiOperation({ summary: 'Sagas by status, type and age (newest first)' })
  @ApiQuery({
    name: 'status',
    required: false,
    enum: ['RUNNING', 'COMPENSATING', 'COMPLETED', 'COMPENSATED', 'FAILED'],
  })
  @ApiQuery({ name: 'type', required: false, example: 'place-order' })
  @ApiQuery({
    name: 'olderThanSeconds',
    required: false,
    description: 'Only sagas started at least this long ago',
  })
  @ApiQuery({ name: 'limit', required: false, description: '1..500, default 100' })
  @ApiResponse({ status: 401, description: 'Missing or wrong bearer token' })
  async list(@Query() query: unknown): Promise<{ sagas: SagaSummary[] }> {
    const filter = parseRequest(ListQuery, query, 'Invalid query');
    const sagas = await this.sagas.list({
      status: filter.status,
      type: filter.type,
      limit: filter.limit,
      ...(filter.olderThanSeconds !== undefined ? { olderThanMs: filter.olderThanSeconds * 1000 } : {}),
    });
    return { sagas: sagas.map(sagaSummary) };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One saga with its timeline (messages sent and received, outcomes, trace ids)' })
  async find(@Param('id') id: string): Promise<SagaSummary & { timeline: TimelineEntry[] }> {
    parseRequest(SagaId, id, 'Invalid saga id', 'id');
    const saga = await this.sagas.find(id);
    if (!saga) throw new NotFoundException({ message: `no saga ${id}` });
    return { ...sagaSummary(saga), timeline: timelineView(saga.timeline) };
  }

  @Post(':id/retry')
  @HttpCode(202)
  @ApiOperation({ summary: 'Retry a FAILED saga: the step or compensation it stopped at is sent again' })
  @ApiResponse({ status: 409, description: 'The saga is not FAILED' })
  async retry(@Param('id') id: string): Promise<SagaSummary & { timeline: TimelineEntry[] }> {
    parseRequest(SagaId, id, 'Invalid saga id', 'id');
    try {
      await this.sagas.retry(id);
    } catch (error) {
      if (error instanceof SagaNotFoundError) throw new NotFoundException({ message: error.message });
      if (error instanceof SagaTransitionRefusedError)
        throw new ConflictException({ message: error.message });
      throw error;
    }
    return this.find(id);
  }
}
