-- CreateEnum
CREATE TYPE "reservation_status" AS ENUM ('HELD', 'RELEASED', 'COMMITTED');

-- CreateTable
CREATE TABLE "product" (
    "sku" VARCHAR(64) NOT NULL,
    "name" VARCHAR(200) NOT NULL,
    "price_minor" INTEGER NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "available" INTEGER NOT NULL DEFAULT 0,
    "reserved" INTEGER NOT NULL DEFAULT 0,
    "sold" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "product_pkey" PRIMARY KEY ("sku")
);

-- CreateTable
CREATE TABLE "reservation" (
    "id" UUID NOT NULL,
    "order_id" UUID NOT NULL,
    "status" "reservation_status" NOT NULL DEFAULT 'HELD',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "reservation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "reservation_line" (
    "reservation_id" UUID NOT NULL,
    "sku" VARCHAR(64) NOT NULL,
    "quantity" INTEGER NOT NULL,

    CONSTRAINT "reservation_line_pkey" PRIMARY KEY ("reservation_id","sku")
);

-- CreateIndex
CREATE UNIQUE INDEX "reservation_order_id_key" ON "reservation"("order_id");

-- CreateIndex
CREATE INDEX "reservation_line_sku_idx" ON "reservation_line"("sku");

-- AddForeignKey
ALTER TABLE "reservation_line" ADD CONSTRAINT "reservation_line_reservation_id_fkey" FOREIGN KEY ("reservation_id") REFERENCES "reservation"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "reservation_line" ADD CONSTRAINT "reservation_line_sku_fkey" FOREIGN KEY ("sku") REFERENCES "product"("sku") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Invariants the Prisma schema cannot declare (written by hand; see prisma/README.md).
-- Stock only moves between the counters (reserve, release, commit), none of which may go negative:
-- a conditional update that lost a race fails here instead of overselling.
ALTER TABLE "product" ADD CONSTRAINT "product_stock_check" CHECK ("available" >= 0 AND "reserved" >= 0 AND "sold" >= 0);
ALTER TABLE "product" ADD CONSTRAINT "product_price_minor_check" CHECK ("price_minor" >= 0);
ALTER TABLE "product" ADD CONSTRAINT "product_currency_check" CHECK ("currency" ~ '^[A-Z]{3}$');
ALTER TABLE "reservation_line" ADD CONSTRAINT "reservation_line_quantity_check" CHECK ("quantity" > 0);
