import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  NotFoundException,
  Param,
  Post,
  Res,
} from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { parseRequest } from '../http/validation';
import { ApiSchemas } from '../openapi-schemas';
import type { OrderView } from './order-view';
import { IdempotencyKey, OrderIdParam, PlaceOrderRequest } from './place-order.request';
import { OrdersService } from './orders.service';

@ApiTags('orders')
@Controller('orders')
export class OrdersController {
  constructor(private readonly orders: OrdersService) {}

  @Post()
  @ApiOperation({ summary: 'Place an order: saved PENDING, then the place-order saga decides' })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'Repeat a request safely: the same key returns the same order',
  })
  @ApiBody({ schema: ApiSchemas.PlaceOrderRequest })
  @ApiResponse({ status: 201, description: 'Order placed', schema: ApiSchemas.Order })
  @ApiResponse({
    status: 200,
    description: 'Same Idempotency-Key and body as before: the order placed then',
    schema: ApiSchemas.Order,
  })
  @ApiResponse({
    status: 400,
    description: 'Invalid body, with one entry per field',
    schema: ApiSchemas.ValidationError,
  })
  @ApiResponse({ status: 422, description: 'Idempotency-Key used before with another body' })
  async place(
    @Body() body: unknown,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) response: { status(code: number): unknown },
  ): Promise<OrderView> {
    const request = parseRequest(PlaceOrderRequest, body, 'Invalid order');
    const idempotencyKey =
      key === undefined
        ? undefined
        : parseRequest(IdempotencyKey, key, 'Invalid Idempotency-Key header', 'Idempotency-Key');
    const { order, created } = await this.orders.place(request, idempotencyKey);
    response.status(created ? 201 : 200);
    return order;
  }

  @Get(':id')
  @ApiOperation({ summary: 'An order with its saga and timeline' })
  @ApiResponse({ status: 200, schema: ApiSchemas.Order })
  @ApiResponse({ status: 400, description: 'Not a UUID', schema: ApiSchemas.ValidationError })
  @ApiResponse({ status: 404, description: 'No such order' })
  async find(@Param('id') id: string): Promise<OrderView> {
    parseRequest(OrderIdParam, id, 'Invalid order id', 'id');
    const order = await this.orders.find(id);
    if (!order) throw new NotFoundException({ message: `no order ${id}` });
    return order;
  }

  @Post(':id/cancel')
  @HttpCode(202)
  @ApiOperation({ summary: 'Cancel a running order: its saga compensates and the order ends CANCELLED' })
  @ApiResponse({ status: 202, description: 'Compensation started', schema: ApiSchemas.Order })
  @ApiResponse({ status: 404, description: 'No such order' })
  @ApiResponse({
    status: 409,
    description: 'Already terminal, or past the point of no return (stock committed)',
  })
  async cancel(@Param('id') id: string): Promise<OrderView> {
    parseRequest(OrderIdParam, id, 'Invalid order id', 'id');
    return this.orders.cancel(id);
  }
}
