-- CreateEnum
CREATE TYPE "order_status" AS ENUM ('PENDING', 'CONFIRMED', 'REJECTED', 'CANCELLED');

-- CreateTable
CREATE TABLE "order" (
    "id" UUID NOT NULL,
    "customer_id" VARCHAR(64) NOT NULL,
    "status" "order_status" NOT NULL DEFAULT 'PENDING',
    "total_minor" INTEGER NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "idempotency_key" VARCHAR(128),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "order_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "order_line" (
    "order_id" UUID NOT NULL,
    "sku" VARCHAR(64) NOT NULL,
    "quantity" INTEGER NOT NULL,
    "unit_price_minor" INTEGER NOT NULL,

    CONSTRAINT "order_line_pkey" PRIMARY KEY ("order_id","sku")
);

-- CreateIndex
CREATE UNIQUE INDEX "order_idempotency_key_key" ON "order"("idempotency_key");

-- CreateIndex
CREATE INDEX "order_customer_id_created_at_idx" ON "order"("customer_id", "created_at");

-- AddForeignKey
ALTER TABLE "order_line" ADD CONSTRAINT "order_line_order_id_fkey" FOREIGN KEY ("order_id") REFERENCES "order"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Invariants the Prisma schema cannot declare (written by hand; see prisma/README.md)
ALTER TABLE "order" ADD CONSTRAINT "order_total_minor_check" CHECK ("total_minor" >= 0);
ALTER TABLE "order" ADD CONSTRAINT "order_currency_check" CHECK ("currency" ~ '^[A-Z]{3}$');
ALTER TABLE "order_line" ADD CONSTRAINT "order_line_quantity_check" CHECK ("quantity" > 0);
ALTER TABLE "order_line" ADD CONSTRAINT "order_line_unit_price_minor_check" CHECK ("unit_price_minor" >= 0);
