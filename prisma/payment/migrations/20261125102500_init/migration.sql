-- CreateEnum
CREATE TYPE "payment_status" AS ENUM ('AUTHORISED', 'DECLINED', 'VOIDED', 'CAPTURED');

-- CreateTable
CREATE TABLE "payment" (
    "id" UUID NOT NULL,
    "order_id" UUID NOT NULL,
    "customer_id" VARCHAR(64) NOT NULL,
    "amount_minor" INTEGER NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "status" "payment_status" NOT NULL,
    "authorisation_id" UUID,
    "capture_id" UUID,
    "decline_reason" VARCHAR(200),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "payment_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "payment_order_id_key" ON "payment"("order_id");

-- CreateIndex
CREATE UNIQUE INDEX "payment_authorisation_id_key" ON "payment"("authorisation_id");

-- CreateIndex
CREATE UNIQUE INDEX "payment_capture_id_key" ON "payment"("capture_id");

-- Invariants the Prisma schema cannot declare (written by hand; see prisma/README.md).
-- What each status requires: a hold once authorised, a capture once captured, a reason when declined.
ALTER TABLE "payment" ADD CONSTRAINT "payment_amount_minor_check" CHECK ("amount_minor" >= 0);
ALTER TABLE "payment" ADD CONSTRAINT "payment_currency_check" CHECK ("currency" ~ '^[A-Z]{3}$');
ALTER TABLE "payment" ADD CONSTRAINT "payment_status_check" CHECK (
  CASE "status"
    WHEN 'DECLINED' THEN "authorisation_id" IS NULL AND "capture_id" IS NULL AND "decline_reason" IS NOT NULL
    WHEN 'AUTHORISED' THEN "authorisation_id" IS NOT NULL AND "capture_id" IS NULL AND "decline_reason" IS NULL
    WHEN 'VOIDED' THEN "authorisation_id" IS NOT NULL AND "capture_id" IS NULL AND "decline_reason" IS NULL
    WHEN 'CAPTURED' THEN "authorisation_id" IS NOT NULL AND "capture_id" IS NOT NULL AND "decline_reason" IS NULL
  END
);
