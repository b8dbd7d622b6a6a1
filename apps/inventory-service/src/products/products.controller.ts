import { Controller, Get } from '@nestjs/common';
import { PrismaClient as InventoryDatabase } from '@orderly/inventory-db';

/** One product as `GET /products` lists it: price in minor units, and where its stock is. */
export interface ProductView {
  sku: string;
  name: string;
  priceMinor: number;
  currency: string;
  available: number;
  reserved: number;
  sold: number;
}

@Controller('products')
export class ProductsController {
  constructor(private readonly db: InventoryDatabase) {}

  /** Every product with its counters, by SKU; available + reserved + sold is the product's initial stock. */
  @Get()
  async list(): Promise<ProductView[]> {
    return this.db.product.findMany({
      orderBy: { sku: 'asc' },
      select: { sku: true, name: true, priceMinor: true, currency: true, available: true, reserved: true, sold: true },
    });
  }
}
